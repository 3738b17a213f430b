package io.tributary.contracts.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.contracts.generated.Gateway;
import io.tributary.contracts.generated.TaskCoordinator;
import io.tributary.contracts.generated.TrainingToken;
import io.tributary.contracts.generated.WorkerHub;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;

/** The deployer against three real anvil chains. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DeployerIT {

    private static final List<Credentials> KEYS = DevKeys.anvil(12);

    private Path dir;
    private List<TestChain> chains;

    @BeforeEach
    void startChains(TestInfo test) throws Exception {
        Path base = Path.of(System.getProperty("tributary.testDir", "target/it"));
        dir = base.resolve("deployer-" + test.getTestMethod().orElseThrow().getName() + "-" + System.nanoTime());
        chains = TestChain.devnetChains(dir);
    }

    @AfterEach
    void stopChains() {
        TestChain.closeAll(chains);
    }

    private Deployer deployer() {
        Deployer.Builder b = Deployer.builder().devKeys(KEYS).stateDir(dir.resolve("deployment"));
        for (TestChain chain : chains) {
            if (chain.home) {
                b.home(chain.name, chain.chainId, chain.web3j);
            } else {
                b.participant(chain.name, chain.chainId, chain.web3j);
            }
        }
        return b.build();
    }

    private Map<String, Long> deployerNonces() throws Exception {
        Map<String, Long> nonces = new HashMap<>();
        for (TestChain chain : chains) {
            nonces.put(chain.name, chain.nonce(KEYS.get(0).getAddress()));
        }
        return nonces;
    }

    @Test
    void shouldDeployAndWireTheSuiteOnEveryChain() throws Exception {
        Deployment deployment = deployer().deploy();

        assertThat(deployment.chains()).extracting(ChainContracts::name)
                .containsExactly("home", "arbitrum-local", "avalanche-local");
        for (TestChain chain : chains) {
            ChainContracts contracts = deployment.chain(chain.name);
            assertThat(contracts.addresses()).hasSize(chain.home ? 6 : 3);
            for (String address : contracts.addresses().values()) {
                String code = chain.web3j.ethGetCode(address, DefaultBlockParameterName.LATEST).send().getCode();
                assertThat(code).as("%s on %s", address, chain.name).hasSizeGreaterThan(2);
            }
            assertThat(contracts.guardians()).extracting(ChainContracts.Guardian::devKeyIndex).containsExactly(3, 4, 5);
            assertThat(contracts.threshold()).isEqualTo(2);
            assertThat(contracts.transactions()).containsKeys("Gateway", "WorkerHub");
            Gateway gateway = Gateway.load(contracts.gateway(), chain.web3j,
                    new ReadonlyTransactionManager(chain.web3j, KEYS.get(0).getAddress()), new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO));
            assertThat(gateway.chainName().send()).isEqualTo(chain.name);
            assertThat(gateway.isGuardian(KEYS.get(4).getAddress()).send()).isTrue();
            assertThat(gateway.isGuardian(KEYS.get(0).getAddress()).send()).isFalse();
        }
        ChainContracts home = deployment.home();
        TestChain homeChain = chains.get(0);
        var readOnly = new ReadonlyTransactionManager(homeChain.web3j, KEYS.get(0).getAddress());
        var noGas = new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO);
        TaskCoordinator coordinator = TaskCoordinator.load(home.taskCoordinator(), homeChain.web3j, readOnly, noGas);
        TaskCoordinator.ChainConfig arbitrum = coordinator.chainConfig(BigInteger.valueOf(412346)).send();
        assertThat(arbitrum.name).isEqualTo("arbitrum-local");
        assertThat(arbitrum.hub).isEqualToIgnoringCase(deployment.chain("arbitrum-local").workerHub());
        assertThat(arbitrum.vault).isEqualToIgnoringCase(deployment.chain("arbitrum-local").rewardVault());
        assertThat(coordinator.bondOf(KEYS.get(1).getAddress()).send().amount)
                .isEqualTo(BigInteger.TEN.pow(19));
        assertThat(TrainingToken.load(home.trainingToken(), homeChain.web3j, readOnly, noGas)
                .balanceOf(KEYS.get(6).getAddress()).send()).isEqualTo(BigInteger.TEN.pow(24));
        TestChain avalanche = chains.get(2);
        WorkerHub hub = WorkerHub.load(deployment.chain("avalanche-local").workerHub(), avalanche.web3j,
                new ReadonlyTransactionManager(avalanche.web3j, KEYS.get(0).getAddress()), noGas);
        var source = hub.trustedSource().send();
        assertThat(source.component1()).isEqualTo("home");
        assertThat(source.component2()).isEqualToIgnoringCase(home.taskCoordinator());
        assertThat(Deployment.read(dir.resolve("deployment").resolve("deployment.json"))).isEqualTo(deployment);
    }

    @Test
    void shouldFindTheDeploymentAndSendNothingWhenRunAgain() throws Exception {
        Deployer deployer = deployer();
        Deployment first = deployer.deploy();
        int sentFirst = deployer.sentInLastRun();
        Map<String, Long> nonces = deployerNonces();

        Deployment again = deployer().deploy();
        Files.delete(dir.resolve("deployment").resolve(DeploymentJournal.FILE_NAME));
        Deployer fromWriterState = deployer();
        Deployment replayed = fromWriterState.deploy();

        assertThat(sentFirst).isEqualTo(19);
        assertThat(again).isEqualTo(first);
        assertThat(replayed).isEqualTo(first);
        assertThat(fromWriterState.sentInLastRun()).isZero();
        assertThat(deployerNonces()).isEqualTo(nonces);
    }

    @Test
    void shouldResumeAHalfFinishedDeployment() throws Exception {
        Deployer stopped = deployer();
        stopped.deployPhases(2);
        String coordinatorTx = DeploymentJournal.open(dir.resolve("deployment")).get("home", "TaskCoordinator")
                .orElseThrow().transaction();

        Deployer resumed = deployer();
        Deployment deployment = resumed.deploy();

        assertThat(deployment.home().transactions()).containsEntry("TaskCoordinator", coordinatorTx);
        assertThat(resumed.sentInLastRun()).isEqualTo(19 - 6);
        assertThat(chains.get(0).nonce(KEYS.get(0).getAddress())).isEqualTo(12);
    }

    @Test
    void shouldRefuseARecordWhoseContractHasNoCodeAnyMore() throws Exception {
        Deployment deployment = deployer().deploy();
        TestChain arbitrum = chains.get(1);
        arbitrum.rpc("anvil_setCode", deployment.chain("arbitrum-local").gateway(), "0x");

        assertThatThrownBy(() -> deployer().deploy())
                .isInstanceOf(DeploymentException.class)
                .hasMessageContaining("Gateway on arbitrum-local")
                .hasMessageContaining("no code");
    }
}
