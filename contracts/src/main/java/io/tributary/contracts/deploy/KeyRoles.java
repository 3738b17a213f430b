package io.tributary.contracts.deploy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Which of a devnet's funded dev keys plays which role, by index into the chain's dev key list
 * (anvil's accounts, the same on every chain). The fixed devnet assignment is {@link #defaults()};
 * contracts/README.md documents it, and devnet.json carries it so every component finds its key.
 *
 * @param deployer deploys and owns every contract (token minter, coordinator owner, hub treasury)
 * @param aggregator the bonded aggregator that commits rounds on the home chain
 * @param relayer the relayer that submits guardian approvals and executions (and postTaskFor)
 * @param guardians the gateway guardians, the same set on every chain
 * @param client the client who posts tasks (TRN minted to it at deployment)
 * @param workers the workers
 * @param intake the task intake that sends {@code postTaskFor} for signed requests (it pays their gas)
 * @param operator the network operator's keeper: finalizes rounds after their challenge window and
 *     fails rounds that missed their aggregation deadline (both are open to anyone on chain)
 */
public record KeyRoles(int deployer, int aggregator, int relayer, List<Integer> guardians, int client,
        List<Integer> workers, int intake, int operator) {

    public KeyRoles {
        guardians = List.copyOf(Objects.requireNonNull(guardians, "guardians"));
        workers = List.copyOf(Objects.requireNonNull(workers, "workers"));
        List<String> problems = new ArrayList<>();
        if (guardians.isEmpty()) {
            problems.add("at least one guardian key is needed");
        }
        List<Integer> all = new ArrayList<>(List.of(deployer, aggregator, relayer, client, intake, operator));
        all.addAll(guardians);
        all.addAll(workers);
        Set<Integer> seen = new HashSet<>();
        for (int index : all) {
            if (index < 0) {
                problems.add("key index " + index + " is negative");
            } else if (!seen.add(index)) {
                problems.add("key index " + index + " has two roles");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("KeyRoles: " + String.join("; ", problems));
        }
    }

    /**
     * The devnet's assignment: 0 deployer/owner, 1 aggregator, 2 relayer, 3-5 guardians, 6 client,
     * 7-9 workers, 10 intake, 11 operator (so anvil runs with at least {@link #keysNeeded()} accounts).
     * Every writer has a key of its own: two writers on one key would race for its nonces.
     */
    public static KeyRoles defaults() {
        return new KeyRoles(0, 1, 2, List.of(3, 4, 5), 6, List.of(7, 8, 9), 10, 11);
    }

    /** How many dev keys the assignment needs (the highest index + 1). */
    public int keysNeeded() {
        int max = Math.max(Math.max(Math.max(deployer, aggregator), Math.max(relayer, client)), Math.max(intake, operator));
        for (int i : guardians) {
            max = Math.max(max, i);
        }
        for (int i : workers) {
            max = Math.max(max, i);
        }
        return max + 1;
    }
}
