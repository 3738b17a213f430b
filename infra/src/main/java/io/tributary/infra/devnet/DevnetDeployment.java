package io.tributary.infra.devnet;

import io.tributary.contracts.deploy.Deployer;
import io.tributary.contracts.deploy.Deployment;
import io.tributary.contracts.deploy.DeploymentException;
import io.tributary.contracts.deploy.KeyRoles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

/**
 * The devnet's deployment step: the protocol suite on the devnet's chains with the {@link Deployer},
 * keys assigned by {@link KeyRoles#defaults()} over the chains' funded dev keys, state (journal,
 * writers) in {@code DIR/deployment}.
 */
final class DevnetDeployment {

    /** Folder of the deployer's state inside the devnet directory. */
    static final String STATE_DIR = "deployment";

    record Result(Deployment deployment, int transactions) {}

    private DevnetDeployment() {}

    static Result deploy(List<DevnetInfo.Chain> chains, Path stateDir) throws DeploymentException, InterruptedException {
        DevnetInfo.Chain first = chains.get(0);
        List<Credentials> keys = first.devKeys().stream().map(k -> Credentials.create(k.privateKey())).toList();
        for (DevnetInfo.Chain chain : chains) {
            List<String> addresses = chain.devKeys().stream().map(k -> k.address().toLowerCase()).toList();
            List<String> expected = first.devKeys().stream().map(k -> k.address().toLowerCase()).toList();
            if (!addresses.equals(expected)) {
                throw new DeploymentException("chain " + chain.name() + " funds other dev keys than " + first.name()
                        + "; the key roles need the same keys on every chain");
            }
        }
        List<Web3j> clients = new ArrayList<>();
        try {
            Deployer.Builder builder = Deployer.builder().devKeys(keys).roles(KeyRoles.defaults()).stateDir(stateDir);
            for (DevnetInfo.Chain chain : chains) {
                Web3j web3j = Web3j.build(new HttpService(chain.rpcUrl()));
                clients.add(web3j);
                if (chain.role() == DevnetInfo.Role.HOME) {
                    builder.home(chain.name(), chain.chainId(), web3j);
                } else {
                    builder.participant(chain.name(), chain.chainId(), web3j);
                }
            }
            Deployer deployer = builder.build();
            Deployment deployment = deployer.deploy();
            return new Result(deployment, deployer.sentInLastRun());
        } finally {
            clients.forEach(Web3j::shutdown);
        }
    }
}
