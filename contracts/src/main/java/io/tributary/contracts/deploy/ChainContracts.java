package io.tributary.contracts.deploy;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The suite as deployed on one chain: every address, the gateway's chain name and guardian set, and
 * the transaction of every deployment and wiring step. Home-only contracts (token, registry,
 * coordinator) are null on participant chains, the vault is null on the home chain.
 *
 * @param name the chain's devnet name
 * @param chainId the chain id
 * @param home whether this is the home chain
 * @param gateway the Gateway
 * @param gatewayChainName the name the gateway answers to ({@code chainName()}), as other chains address it
 * @param guardians the gateway's guardians, with the dev key index of each
 * @param threshold the signatures an approval needs
 * @param trainingToken TrainingToken (home)
 * @param modelRegistry ModelRegistry (home)
 * @param taskCoordinator TaskCoordinator (home)
 * @param taskIntake TaskIntake (home only: EIP-712 requests, postTaskFor)
 * @param workerHub WorkerHub (every chain)
 * @param rewardVault RewardVault (participant chains)
 * @param transactions step name (e.g. {@code TaskCoordinator}, {@code setChain:412346}) to transaction hash
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChainContracts(
        String name,
        long chainId,
        boolean home,
        String gateway,
        String gatewayChainName,
        List<Guardian> guardians,
        int threshold,
        String trainingToken,
        String modelRegistry,
        String taskCoordinator,
        String taskIntake,
        String workerHub,
        String rewardVault,
        Map<String, String> transactions) {

    /** A guardian of the gateway: its address and which dev key it is. */
    public record Guardian(String address, int devKeyIndex) {}

    public ChainContracts {
        Objects.requireNonNull(name, "name");
        guardians = List.copyOf(guardians);
        transactions = transactions == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(transactions));
    }

    /** Every contract address on this chain, by contract name. */
    public Map<String, String> addresses() {
        Map<String, String> all = new TreeMap<>();
        all.put("Gateway", gateway);
        all.put("WorkerHub", workerHub);
        if (trainingToken != null) {
            all.put("TrainingToken", trainingToken);
        }
        if (modelRegistry != null) {
            all.put("ModelRegistry", modelRegistry);
        }
        if (taskCoordinator != null) {
            all.put("TaskCoordinator", taskCoordinator);
        }
        if (taskIntake != null) {
            all.put("TaskIntake", taskIntake);
        }
        if (rewardVault != null) {
            all.put("RewardVault", rewardVault);
        }
        return all;
    }
}
