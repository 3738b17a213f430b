package io.tributary.ingest.intake;

import io.tributary.contracts.generated.TaskIntake;
import java.math.BigInteger;
import org.web3j.crypto.Hash;

/**
 * The EIP-712 digest of a task request, exactly as {@code TaskIntake.hashTaskRequest} computes it
 * (contracts/PROTOCOL.md, "EIP-712: TaskRequest"): domain {@code "Tributary TaskIntake"}, version
 * {@code "1"}, the home chain id and the TaskIntake's address.
 */
public final class TaskRequestDigest {

    /** Domain name of the TaskIntake contract. */
    public static final String DOMAIN_NAME = "Tributary TaskIntake";
    /** Domain version of the TaskIntake contract. */
    public static final String DOMAIN_VERSION = "1";

    static final String TASK_SPEC_TYPE = "TaskSpec(uint64 modelId,bytes32 datasetRoot,uint16 rounds,"
            + "uint32 minContributors,uint32 maxContributors,uint64 maxWeight,uint64 startTime,uint32 roundPeriod,"
            + "uint32 commitWindow,uint32 revealWindow,uint32 aggregateWindow,uint32 challengeWindow,"
            + "uint64 clipBound,int8 expMin,int8 expMax,uint8 rule,uint16 ruleParam,uint64[] chainIds)";
    static final String TASK_REQUEST_TYPE =
            "TaskRequest(address client,uint256 bounty,uint256 nonce,uint256 deadline,TaskSpec spec)" + TASK_SPEC_TYPE;

    private static final byte[] TASK_SPEC_TYPEHASH = Eip712.keccak(TASK_SPEC_TYPE);
    private static final byte[] TASK_REQUEST_TYPEHASH = Eip712.keccak(TASK_REQUEST_TYPE);

    private final byte[] domainSeparator;

    /** The digest for the TaskIntake at {@code taskIntake} on chain {@code chainId}. */
    public TaskRequestDigest(long chainId, String taskIntake) {
        this.domainSeparator = Eip712.domainSeparator(DOMAIN_NAME, DOMAIN_VERSION, chainId, taskIntake);
    }

    /** What the client signs for {@code request}. */
    public byte[] digest(TaskIntake.TaskRequest request) {
        return Eip712.digest(domainSeparator, structHash(request));
    }

    static byte[] structHash(TaskIntake.TaskRequest r) {
        return Hash.sha3(Eip712.concat(TASK_REQUEST_TYPEHASH, Eip712.address(r.client), Eip712.word(r.bounty),
                Eip712.word(r.nonce), Eip712.word(r.deadline), specHash(r.spec)));
    }

    /** {@code TaskIntake.hashTaskSpec}: arrays hash as the keccak of their 32-byte words. */
    static byte[] specHash(TaskIntake.TaskSpec s) {
        byte[][] chains = new byte[s.chainIds.size()][];
        for (int i = 0; i < chains.length; i++) {
            chains[i] = Eip712.word(s.chainIds.get(i));
        }
        return Hash.sha3(Eip712.concat(TASK_SPEC_TYPEHASH, Eip712.word(s.modelId), s.datasetRoot.clone(),
                Eip712.word(s.rounds), Eip712.word(s.minContributors), Eip712.word(s.maxContributors),
                Eip712.word(s.maxWeight), Eip712.word(s.startTime), Eip712.word(s.roundPeriod),
                Eip712.word(s.commitWindow), Eip712.word(s.revealWindow), Eip712.word(s.aggregateWindow),
                Eip712.word(s.challengeWindow), Eip712.word(s.clipBound), signed(s.expMin), signed(s.expMax),
                Eip712.word(s.rule), Eip712.word(s.ruleParam), Hash.sha3(Eip712.concat(chains))));
    }

    private static byte[] signed(BigInteger v) {
        return Eip712.signedWord(v.longValueExact());
    }
}
