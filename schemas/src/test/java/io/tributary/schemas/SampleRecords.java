package io.tributary.schemas;

import io.tributary.schemas.avro.AggregationRule;
import io.tributary.schemas.avro.BlockHead;
import io.tributary.schemas.avro.ChainEvent;
import io.tributary.schemas.avro.ChainWeight;
import io.tributary.schemas.avro.ChangeOp;
import io.tributary.schemas.avro.DeadLetter;
import io.tributary.schemas.avro.GatewayAttestation;
import io.tributary.schemas.avro.LogSource;
import io.tributary.schemas.avro.ModelChunk;
import io.tributary.schemas.avro.Permit;
import io.tributary.schemas.avro.ReceiptStatus;
import io.tributary.schemas.avro.RejectionReason;
import io.tributary.schemas.avro.RoundCommitment;
import io.tributary.schemas.avro.RoundOutcome;
import io.tributary.schemas.avro.TaskReceipt;
import io.tributary.schemas.avro.TaskRequest;
import io.tributary.schemas.avro.TaskSpec;
import io.tributary.schemas.avro.UpdateChunk;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/** One fixed, fully populated record per topic, for round-trip and golden-bytes tests. */
final class SampleRecords {

    private SampleRecords() {}

    static Object valueFor(String topic) {
        return switch (topic) {
            case "chain.events" -> ChainEvent.newBuilder()
                    .setOp(ChangeOp.c)
                    .setSource(LogSource.newBuilder().setChainId(31337).setBlockNumber(42)
                            .setBlockHash("0x" + "ab".repeat(32)).setBlockTimestamp(1_700_000_000L)
                            .setTxHash("0x" + "cd".repeat(32)).setLogIndex(3)
                            .setContract("0x" + "11".repeat(20)).build())
                    .setContractName("TaskCoordinator").setEventName("TaskPosted")
                    .setFields(new java.util.TreeMap<>(Map.of("taskId", "7", "client", "0x" + "22".repeat(20))))
                    .setTopics(List.of(bytes(32, 1), bytes(32, 2))).setData(bytes(64, 3))
                    .setEmittedAt(1_700_000_000_123L).build();
            case "chain.blocks" -> BlockHead.newBuilder().setChainId(412346).setNumber(1000)
                    .setHash("0x" + "01".repeat(32)).setParentHash("0x" + "02".repeat(32))
                    .setTimestamp(1_700_000_100L).setConfirmations(4).build();
            case "tasks.requests" -> TaskRequest.newBuilder().setRequestId("req-1")
                    .setClient("0x" + "33".repeat(20)).setSpec(spec()).setBounty("1000000000000000000000")
                    .setNonce(5).setDeadline(1_700_003_600L).setSignature(bytes(65, 4))
                    .setPermit(Permit.newBuilder().setValue("1000000000000000000000").setDeadline(1_700_003_600L)
                            .setV(27).setR(bytes(32, 5)).setS(bytes(32, 6)).build())
                    .build();
            case "tasks.receipts" -> TaskReceipt.newBuilder().setRequestId("req-2")
                    .setStatus(ReceiptStatus.REJECTED).setReason(RejectionReason.BAD_SIGNATURE)
                    .setDetail("signer 0x44.. is not the client").build();
            case "updates.chunks" -> UpdateChunk.newBuilder().setTaskId(7).setRound(2).setChainId(43112)
                    .setWorker("0x" + "55".repeat(20)).setChunkIndex(1).setChunkCount(4).setWeight(600)
                    .setUpdateRoot(bytes(32, 7)).setProof(List.of(bytes(32, 8), bytes(32, 9)))
                    .setPayload(bytes(100, 10)).build();
            case "models.chunks" -> ModelChunk.newBuilder().setTaskId(7).setRound(2).setChunkIndex(0)
                    .setChunkCount(4).setModelRoot(bytes(32, 11)).setProof(List.of(bytes(32, 12)))
                    .setPayload(bytes(80, 13)).build();
            case "rounds.commitments" -> RoundCommitment.newBuilder().setTaskId(7).setRound(2)
                    .setOutcome(RoundOutcome.COMMITTED).setRule(AggregationRule.FEDAVG)
                    .setModelRoot(bytes(32, 14)).setContributionsRoot(bytes(32, 15))
                    .setTotalWeight(3600).setContributors(6)
                    .setWeightPerChain(List.of(new ChainWeight(31337L, 1200L), new ChainWeight(412346L, 2400L)))
                    .setRejectedChunks(1).build();
            case "gateway.attestations" -> GatewayAttestation.newBuilder().setMessageId("31337:0xabc:1")
                    .setCommandId(bytes(32, 16)).setSourceChain("home").setSourceAddress("0x" + "66".repeat(20))
                    .setDestinationChain("arbitrum-local").setDestinationAddress("0x" + "77".repeat(20))
                    .setPayloadHash(bytes(32, 17)).setGuardian("0x" + "88".repeat(20))
                    .setSignature(bytes(65, 18)).setSignedAt(1_700_000_200_000L).build();
            case "deadletter" -> DeadLetter.newBuilder().setSourceTopic("updates.chunks")
                    .setSourceKey(ByteBuffer.wrap("7:2:1".getBytes())).setSourcePartition(0).setSourceOffset(99L)
                    .setReason(RejectionReason.BAD_HASH).setDetail("leaves do not hash to the revealed root")
                    .setPayload(bytes(20, 19)).setProducer("round-aggregation").setRejectedAt(1_700_000_300_000L)
                    .build();
            default -> throw new IllegalArgumentException("no sample for " + topic);
        };
    }

    static TaskSpec spec() {
        return TaskSpec.newBuilder().setModelId("0x" + "aa".repeat(32)).setDatasetRoot("0x" + "bb".repeat(32))
                .setParameters(101_770).setRounds(5).setMinContributors(3).setMaxContributors(64)
                .setStartTime(1_700_000_000L).setCommitSeconds(20).setRevealSeconds(20).setChallengeSeconds(10)
                .setClipL2Micros(5_000_000).setExpMin(-24).setExpMax(-4).setMaxWeight(10_000)
                .setRule(AggregationRule.TRIMMED_MEAN).setRuleParam(100)
                .setChains(List.of(31337L, 412346L, 43112L)).build();
    }

    static ByteBuffer bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed * 31 + i * 7);
        }
        return ByteBuffer.wrap(b);
    }
}
