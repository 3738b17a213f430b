package io.tributary.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.contracts.gateway.GatewayApprovals;
import io.tributary.infra.devnet.DevnetInfo;
import io.tributary.infra.devnet.DevnetInfoTest;
import io.tributary.schemas.avro.AggregationRule;
import io.tributary.schemas.avro.BlockHead;
import io.tributary.schemas.avro.ChainEvent;
import io.tributary.schemas.avro.ChangeOp;
import io.tributary.schemas.avro.LogSource;
import io.tributary.schemas.avro.RoundCommitment;
import io.tributary.schemas.avro.RoundOutcome;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.utils.Numeric;
import picocli.CommandLine;

class StatusCommandTest {

    private static final String TX_A = "0x" + "aa".repeat(32);
    private static final String TX_B = "0x" + "bb".repeat(32);
    private static final String TX_C = "0x" + "cc".repeat(32);
    private static final Map<Long, String> GATEWAYS = Map.of(31337L, "home", 412346L, "arbitrum-local");

    private static ChainEvent event(ChangeOp op, long chainId, String txHash, int logIndex, String contractName,
            String eventName, Map<String, String> fields, long emittedAt) {
        return ChainEvent.newBuilder().setOp(op)
                .setSource(LogSource.newBuilder().setChainId(chainId).setBlockNumber(9).setBlockHash("0x01")
                        .setBlockTimestamp(1).setTxHash(txHash).setLogIndex(logIndex).setContract("0x" + "c0".repeat(20))
                        .build())
                .setContractName(contractName).setEventName(eventName).setFields(fields).setTopics(List.of())
                .setData(ByteBuffer.allocate(0)).setEmittedAt(emittedAt).build();
    }

    private static String commandId(String sourceChain, String txHash, int logIndex) {
        return Numeric.toHexString(GatewayApprovals.commandId(sourceChain, txHash, logIndex));
    }

    private static ChainEvent call(String txHash, long emittedAt) {
        return event(ChangeOp.c, 31337, txHash, 0, "Gateway", "ContractCall",
                Map.of("destinationChain", "arbitrum-local"), emittedAt);
    }

    private static ChainEvent gatewayEvent(String name, String commandId) {
        return event(ChangeOp.c, 412346, TX_C, 1, "Gateway", name, Map.of("commandId", commandId), 0);
    }

    private static StatusCommand.Status sample() {
        return new StatusCommand.Status("/d/devnet", 1_700_000_123L,
                List.of(new StatusCommand.ChainView("home", 31337, "home", 120L, 118L, 2L, null),
                        new StatusCommand.ChainView("arbitrum-local", 412346, "participant", 480L, 476L, 4L, null),
                        new StatusCommand.ChainView("avalanche-local", 43112, "participant", null, 60L, null,
                                "no answer from http://127.0.0.1:9")),
                new StatusCommand.RelayerView(5, 4, 3, 2, 1, 17),
                List.of(new StatusCommand.TaskView(1, "Active", 3, 1, "Revealing", 2,
                                new StatusCommand.CommitView(0, "COMMITTED", 2, "0x" + "ab".repeat(32), TX_A, 187_654L)),
                        new StatusCommand.TaskView(2, "Active", 2, 0, "Committing", 0, null)));
    }

    @Test
    void shouldRenderEveryChainTheRelayerBacklogAndEveryTaskWithItsLastCommitment() {
        String text = StatusCommand.render(sample());

        assertThat(text).contains("devnet /d/devnet", "home time 1700000123");
        assertThat(text).containsPattern("home\\s+31337\\s+120\\s+118\\s+2\\n");
        assertThat(text).containsPattern("arbitrum-local\\s+412346\\s+480\\s+476\\s+4\\n");
        assertThat(text).containsPattern("avalanche-local\\s+43112\\s+-\\s+60\\s+-\\s+no answer from http://127.0.0.1:9");
        assertThat(text).contains("relayer backlog: 2 pending (1 awaiting approval, oldest 17 s); 5 sent, 4 approved, 3 executed");
        assertThat(text).contains("task 1 (Active): round 1 of 3 Revealing, 2 contributors; last commitment round 0 "
                + "COMMITTED (2 contributors), tx " + TX_A + ", gas 187,654");
        assertThat(text).contains("task 2 (Active): round 0 of 2 Committing, 0 contributors; no commitment yet");
    }

    @Test
    void shouldPrintTheSameViewAsOneJsonObject() throws Exception {
        JsonNode json = new ObjectMapper().readTree(StatusCommand.toJson(sample()));

        assertThat(json.get("devnet").asText()).isEqualTo("/d/devnet");
        assertThat(json.get("chains")).hasSize(3);
        assertThat(json.get("chains").get(0).get("head").asLong()).isEqualTo(120);
        assertThat(json.get("chains").get(0).get("confirmed").asLong()).isEqualTo(118);
        assertThat(json.get("chains").get(0).get("lagBlocks").asLong()).isEqualTo(2);
        assertThat(json.get("chains").get(2).get("head").isNull()).isTrue();
        assertThat(json.get("chains").get(2).get("error").asText()).startsWith("no answer");
        assertThat(json.get("relayer").get("pending").asInt()).isEqualTo(2);
        assertThat(json.get("relayer").get("oldestPendingSeconds").asLong()).isEqualTo(17);
        JsonNode task = json.get("tasks").get(0);
        assertThat(task.get("phase").asText()).isEqualTo("Revealing");
        assertThat(task.get("contributors").asInt()).isEqualTo(2);
        assertThat(task.get("lastCommitment").get("gasUsed").asLong()).isEqualTo(187_654);
        assertThat(task.get("lastCommitment").get("txHash").asText()).isEqualTo(TX_A);
        assertThat(json.get("tasks").get(1).get("lastCommitment").isNull()).isTrue();
    }

    @Test
    void shouldCountACallPendingUntilItsCommandIsExecutedOnTheDestination() {
        StatusCommand.Seen seen = new StatusCommand.Seen();
        seen.event("k1", call(TX_A, 1_000));
        seen.event("k2", call(TX_B, 5_000));
        seen.event("k3", gatewayEvent("ContractCallApproved", commandId("home", TX_A, 0)));
        seen.event("k4", gatewayEvent("ContractCallExecuted", commandId("home", TX_A, 0)));
        seen.event("k5", gatewayEvent("ContractCallApproved", commandId("home", TX_B, 0)));

        StatusCommand.RelayerView relayer = seen.relayer(GATEWAYS, 65_000);

        assertThat(relayer).isEqualTo(new StatusCommand.RelayerView(2, 2, 1, 1, 0, 60));
    }

    @Test
    void shouldForgetARetractedCallAndKeepAnUnapprovedOneAwaitingApproval() {
        StatusCommand.Seen seen = new StatusCommand.Seen();
        seen.event("k1", call(TX_A, 1_000));
        seen.event("k2", call(TX_B, 2_000));
        seen.event("k1", event(ChangeOp.d, 31337, TX_A, 0, "Gateway", "ContractCall", Map.of(), 3_000));

        StatusCommand.RelayerView relayer = seen.relayer(GATEWAYS, 12_000);

        assertThat(relayer).isEqualTo(new StatusCommand.RelayerView(1, 0, 0, 1, 1, 10));
    }

    @Test
    void shouldCountDistinctRevealingWorkersOfARoundAcrossChains() {
        StatusCommand.Seen seen = new StatusCommand.Seen();
        String w1 = "0x" + "a1".repeat(20);
        seen.event("r1", event(ChangeOp.c, 31337, TX_A, 0, "WorkerHub", "UpdateRevealed",
                Map.of("taskId", "1", "round", "2", "worker", w1), 0));
        seen.event("r2", event(ChangeOp.c, 412346, TX_B, 0, "WorkerHub", "UpdateRevealed",
                Map.of("taskId", "1", "round", "2", "worker", w1), 0));
        seen.event("r3", event(ChangeOp.c, 412346, TX_C, 0, "WorkerHub", "UpdateRevealed",
                Map.of("taskId", "1", "round", "1", "worker", w1), 0));

        assertThat(seen.contributors(1, 2)).isEqualTo(2);
        assertThat(seen.contributors(1, 1)).isEqualTo(1);
        assertThat(seen.contributors(2, 2)).isZero();
    }

    @Test
    void shouldTakeTheLastCommittedRoundWithItsTransactionAndTheJobsRecord() {
        StatusCommand.Seen seen = new StatusCommand.Seen();
        seen.event("t", event(ChangeOp.c, 31337, TX_C, 0, "TaskCoordinator", "TaskPosted", Map.of("taskId", "4"), 0));
        seen.event("c0", event(ChangeOp.c, 31337, TX_A, 0, "TaskCoordinator", "RoundCommitted",
                Map.of("taskId", "4", "round", "0"), 0));
        seen.commitment(commitment(4, 0));
        seen.commitment(commitment(4, 1));
        seen.done();

        assertThat(seen.tasks).containsExactly(4L);
        StatusCommand.CommitView last = seen.lastCommitment(4);
        assertThat(last.round()).isEqualTo(1);
        assertThat(last.outcome()).isEqualTo("COMMITTED");
        assertThat(last.txHash()).as("round 1 is not on chain yet").isNull();

        seen.event("c1", event(ChangeOp.c, 31337, TX_B, 0, "TaskCoordinator", "RoundCommitted",
                Map.of("taskId", "4", "round", "1"), 0));
        assertThat(seen.lastCommitment(4).txHash()).isEqualTo(TX_B);
        assertThat(seen.lastCommitment(5)).isNull();
    }

    @Test
    void shouldKeepTheHighestConfirmedHeadPerChain() {
        StatusCommand.Seen seen = new StatusCommand.Seen();
        seen.block(head(31337, 10));
        seen.block(head(31337, 12));
        seen.block(head(412346, 40));
        seen.block(head(31337, 11));

        assertThat(seen.confirmedHeads).containsExactlyInAnyOrderEntriesOf(Map.of(31337L, 12L, 412346L, 40L));
    }

    @Test
    void shouldTakeTheLatestOpenedRoundAsTheCurrentOne() {
        assertThat(StatusCommand.currentRound(99, 100, 30, 3)).isZero();
        assertThat(StatusCommand.currentRound(100, 100, 30, 3)).isZero();
        assertThat(StatusCommand.currentRound(131, 100, 30, 3)).isEqualTo(1);
        assertThat(StatusCommand.currentRound(10_000, 100, 30, 3)).isEqualTo(2);
    }

    @Test
    void shouldSayNoDevnetRunsWhenTheDirHasNoDevnetFile(@TempDir Path dir) {
        StringWriter err = new StringWriter();
        CommandLine cli = Tributary.commandLine();
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setErr(new PrintWriter(err, true));

        int code = cli.execute("status", "--devnet", dir.toString());

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("no devnet runs in " + dir.toAbsolutePath().normalize(),
                "devnet.json is missing", "./tributary devnet up");
    }

    @Test
    void shouldSayNoDevnetRunsWhenItsSupervisorIsGone(@TempDir Path dir) throws Exception {
        Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        DevnetInfo sample = DevnetInfoTest.sample();
        new DevnetInfo(sample.version(), dir.toString(), exited.pid(), sample.chains(), sample.kafka(),
                sample.postgres(), sample.pids()).write(DevnetInfo.file(dir));
        StringWriter err = new StringWriter();
        CommandLine cli = Tributary.commandLine();
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setErr(new PrintWriter(err, true));

        int code = cli.execute("status", "--devnet", dir.toString());

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("no devnet runs in", "supervisor (pid " + exited.pid() + ") is gone",
                "devnet down --dir");
    }

    @Test
    void shouldTakeANetworkFileWithoutSupervisorAsRunning() {
        DevnetInfo sample = DevnetInfoTest.sample();
        DevnetInfo network = new DevnetInfo(sample.version(), sample.dir(), 0, sample.chains(), sample.kafka(),
                sample.postgres(), sample.pids());
        DevnetInfo self = new DevnetInfo(sample.version(), sample.dir(), ProcessHandle.current().pid(),
                sample.chains(), sample.kafka(), sample.postgres(), sample.pids());

        assertThat(StatusCommand.supervisorRuns(network)).isTrue();
        assertThat(StatusCommand.supervisorRuns(self)).isTrue();
    }

    private static RoundCommitment commitment(long taskId, int round) {
        return RoundCommitment.newBuilder().setTaskId(taskId).setRound(round).setOutcome(RoundOutcome.COMMITTED)
                .setRule(AggregationRule.FEDAVG).setModelRoot(ByteBuffer.wrap(new byte[32]))
                .setContributionsRoot(ByteBuffer.wrap(new byte[32])).setTotalWeight(10).setContributors(2)
                .setWeightPerChain(List.of()).setRejectedChunks(0).build();
    }

    private static BlockHead head(long chainId, long number) {
        return BlockHead.newBuilder().setChainId(chainId).setNumber(number).setHash("0x01").setParentHash("0x00")
                .setTimestamp(1).setConfirmations(2).build();
    }
}
