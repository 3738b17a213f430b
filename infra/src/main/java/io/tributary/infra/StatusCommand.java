package io.tributary.infra;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tributary.contracts.gateway.GatewayApprovals;
import io.tributary.contracts.generated.TaskCoordinator;
import io.tributary.infra.devnet.DevnetInfo;
import io.tributary.infra.devnet.JsonRpc;
import io.tributary.infra.devnet.Processes;
import io.tributary.ingest.kafka.KafkaClients;
import io.tributary.ingest.relayer.ContractCallMessage;
import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.BlockHead;
import io.tributary.schemas.avro.ChainEvent;
import io.tributary.schemas.avro.ChangeOp;
import io.tributary.schemas.avro.RoundCommitment;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.web3j.abi.datatypes.Address;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import org.web3j.tuples.generated.Tuple5;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;
import org.web3j.utils.Numeric;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tributary status [--devnet DIR] [--json]}: a compact live view of a running devnet. Every
 * chain's head (its RPC) against the connector's last confirmed head ({@code chain.blocks}); the
 * relayer's backlog (Gateway {@code ContractCall}s in {@code chain.events} against the
 * {@code ContractCallApproved} / {@code ContractCallExecuted} events of the destination gateways);
 * every posted task's current round and its phase (the home TaskCoordinator's views), the
 * contributors of that round (reveals in {@code chain.events}) and the last commitment
 * ({@code rounds.commitments}, its {@code RoundCommitted} transaction and that receipt's gas).
 */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description = {"Show a running devnet at a glance: chain heads and the connector's lag, the relayer "
                + "backlog, every task's current round, phase and contributors, and the last commitment with its gas.",
            "Reads the chains, chain.events, chain.blocks and rounds.commitments once and exits."})
public final class StatusCommand implements Callable<Integer> {

    /** {@code ITaskCoordinator.Phase}, in declaration order. */
    static final List<String> PHASES =
            List.of("Open", "Committing", "Revealing", "Aggregating", "Challenging", "Finalized", "Failed");
    /** {@code TaskCoordinator.Status}, in declaration order. */
    static final List<String> TASK_STATUSES = List.of("None", "Active", "Cancelled", "Completed");

    static final String APPROVED = "ContractCallApproved";
    static final String EXECUTED = "ContractCallExecuted";
    static final String TASK_POSTED = "TaskPosted";
    static final String UPDATE_REVEALED = "UpdateRevealed";
    static final String ROUND_COMMITTED = "RoundCommitted";

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(15);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final StaticGasProvider NO_GAS = new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO);

    @Spec
    CommandSpec spec;

    @Option(names = "--devnet", paramLabel = "DIR",
            description = "Devnet directory with devnet.json (default: target/devnet under the repository root).")
    Path devnet;

    @Option(names = "--json", description = "Print the same as one JSON object.")
    boolean json;

    /** One chain: its head now, the connector's last confirmed head, and the distance between them. */
    public record ChainView(String name, long chainId, String role, Long head, Long confirmed, Long lagBlocks,
            String error) {}

    /**
     * The relayer's backlog as the topics tell it: calls sent by a source gateway, approved and
     * executed on their destination; {@code pending} are sent and not executed, the oldest of them
     * {@code oldestPendingSeconds} old (since the connector emitted its ContractCall).
     */
    public record RelayerView(int sent, int approved, int executed, int pending, int awaitingApproval,
            long oldestPendingSeconds) {}

    /** A round's commitment: the job's record and, once on chain, its RoundCommitted transaction and gas. */
    public record CommitView(int round, String outcome, int contributors, String modelRoot, String txHash,
            Long gasUsed) {}

    /** One task: on-chain status, rounds, the round open now, its phase and contributors, the last commitment. */
    public record TaskView(long taskId, String status, int rounds, int currentRound, String phase, int contributors,
            CommitView lastCommitment) {}

    /** Everything the command shows. */
    public record Status(String devnet, Long homeTime, List<ChainView> chains, RelayerView relayer,
            List<TaskView> tasks) {
        public Status {
            chains = List.copyOf(chains);
            tasks = List.copyOf(tasks);
        }
    }

    @Override
    public Integer call() throws Exception {
        Path dir = (devnet != null ? devnet : Environment.current().defaultDevnetDir()).toAbsolutePath().normalize();
        Path file = DevnetInfo.file(dir);
        if (!Files.exists(file)) {
            throw new IOException("no devnet runs in " + dir + ": " + file.getFileName()
                    + " is missing (start one with ./tributary devnet up --detach --dir " + dir + ")");
        }
        DevnetInfo info = DevnetInfo.read(file);
        if (!supervisorRuns(info)) {
            throw new IOException("no devnet runs in " + dir + ": its supervisor (pid " + info.supervisorPid()
                    + ") is gone; ./tributary devnet down --dir " + dir + " cleans up");
        }
        Status status = collect(info);
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? toJson(status) + System.lineSeparator() : render(status));
        out.flush();
        return status.chains().stream().allMatch(c -> c.error() == null) ? 0 : 1;
    }

    /**
     * Whether the devnet's supervisor still runs. A network file written by hand for a deployment
     * (supervisor pid 0) has none, and counts as running.
     */
    static boolean supervisorRuns(DevnetInfo info) {
        return info.supervisorPid() <= 0 || Processes.isAlive(info.supervisorPid());
    }

    /** Reads a running devnet's chains and topics. */
    public static Status collect(DevnetInfo info) throws IOException, InterruptedException {
        if (info.deployment() == null || info.home().contracts() == null) {
            throw new IOException("the devnet in " + info.dir() + " has no deployed contracts (yet)");
        }
        Seen topics = readTopics(info.kafka().bootstrapServers());
        List<ChainView> chains = new ArrayList<>();
        for (DevnetInfo.Chain chain : info.chains()) {
            Long confirmed = topics.confirmedHeads.get(chain.chainId());
            try {
                long head = new JsonRpc(chain.rpcUrl()).blockNumber();
                chains.add(new ChainView(chain.name(), chain.chainId(), roleName(chain.role()), head, confirmed,
                        confirmed == null ? null : Math.max(0, head - confirmed), null));
            } catch (IOException e) {
                chains.add(new ChainView(chain.name(), chain.chainId(), roleName(chain.role()), null, confirmed, null,
                        "no answer from " + chain.rpcUrl() + ": " + e.getMessage()));
            }
        }
        Map<Long, String> gatewayNames = new HashMap<>();
        info.chains().forEach(c -> gatewayNames.put(c.chainId(), c.contracts().gatewayChainName()));
        RelayerView relayer = topics.relayer(gatewayNames, System.currentTimeMillis());
        DevnetInfo.Chain home = info.home();
        Long homeTime = null;
        List<TaskView> tasks = new ArrayList<>();
        if (chains.stream().anyMatch(c -> c.chainId() == home.chainId() && c.error() == null)) {
            Web3j web3j = Web3j.build(new HttpService(home.rpcUrl()));
            try {
                homeTime = web3j.ethGetBlockByNumber(org.web3j.protocol.core.DefaultBlockParameterName.LATEST, false)
                        .send().getBlock().getTimestamp().longValueExact();
                TaskCoordinator coordinator = TaskCoordinator.load(home.contracts().taskCoordinator(), web3j,
                        new ReadonlyTransactionManager(web3j, Address.DEFAULT.getValue()), NO_GAS);
                JsonRpc rpc = new JsonRpc(home.rpcUrl());
                for (long taskId : topics.tasks) {
                    tasks.add(task(coordinator, rpc, topics, taskId, homeTime));
                }
            } finally {
                web3j.shutdown();
            }
        }
        return new Status(info.dir(), homeTime, chains, relayer, tasks);
    }

    private static TaskView task(TaskCoordinator coordinator, JsonRpc rpc, Seen topics, long taskId, long now)
            throws IOException, InterruptedException {
        BigInteger id = BigInteger.valueOf(taskId);
        try {
            Tuple5<String, BigInteger, BigInteger, BigInteger, BigInteger> state = coordinator.taskState(id).send();
            TaskCoordinator.TaskSpec spec = coordinator.taskSpec(id).send();
            int rounds = spec.rounds.intValueExact();
            int round = currentRound(now, spec.startTime.longValueExact(), spec.roundPeriod.longValueExact(), rounds);
            int phase = coordinator.roundPhase(id, BigInteger.valueOf(round)).send().intValueExact();
            CommitView last = topics.lastCommitment(taskId);
            if (last != null && last.txHash() != null) {
                last = new CommitView(last.round(), last.outcome(), last.contributors(), last.modelRoot(),
                        last.txHash(), gasUsed(rpc, last.txHash()));
            }
            return new TaskView(taskId, name(TASK_STATUSES, state.component2().intValueExact()), rounds, round,
                    name(PHASES, phase), topics.contributors(taskId, round), last);
        } catch (IOException | InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("TaskCoordinator views of task " + taskId + " failed: " + e, e);
        }
    }

    /** The latest round opened at home time {@code now} (round r opens at startTime + r * roundPeriod). */
    static int currentRound(long now, long startTime, long roundPeriod, int rounds) {
        if (rounds <= 0 || now < startTime || roundPeriod <= 0) {
            return 0;
        }
        return (int) Math.min(rounds - 1L, (now - startTime) / roundPeriod);
    }

    private static Long gasUsed(JsonRpc rpc, String txHash) throws IOException, InterruptedException {
        var receipt = rpc.call("eth_getTransactionReceipt", txHash);
        return receipt == null || receipt.isNull() ? null : JsonRpc.quantity(receipt.get("gasUsed"));
    }

    private static String name(List<String> names, int ordinal) {
        return ordinal >= 0 && ordinal < names.size() ? names.get(ordinal) : "#" + ordinal;
    }

    private static String roleName(DevnetInfo.Role role) {
        return role.name().toLowerCase(Locale.ROOT);
    }

    /**
     * What the three topics hold, read once from the beginning to their current (committed) end.
     * Confirmed events are kept under their key, so a retraction removes what its confirmation added.
     */
    static final class Seen {
        final Map<Long, Long> confirmedHeads = new HashMap<>();
        final Map<String, ChainEvent> events = new LinkedHashMap<>();
        final Map<String, RoundCommitment> commitments = new HashMap<>();
        final Set<Long> tasks = new TreeSet<>();

        void block(BlockHead head) {
            confirmedHeads.merge(head.getChainId(), head.getNumber(), Math::max);
        }

        void event(String key, ChainEvent event) {
            if (event.getOp() == ChangeOp.d) {
                events.remove(key);
                return;
            }
            String name = event.getEventName();
            if (ContractCallMessage.isContractCall(event) || APPROVED.equals(name) || EXECUTED.equals(name)
                    || TASK_POSTED.equals(name) || UPDATE_REVEALED.equals(name) || ROUND_COMMITTED.equals(name)) {
                events.put(key, event);
            }
        }

        void commitment(RoundCommitment commitment) {
            commitments.put(commitment.getTaskId() + ":" + commitment.getRound(), commitment);
        }

        /** Collects the posted tasks once every record is in. */
        void done() {
            for (ChainEvent e : events.values()) {
                if (TASK_POSTED.equals(e.getEventName()) && "TaskCoordinator".equals(e.getContractName())) {
                    tasks.add(Long.parseLong(e.getFields().get("taskId")));
                }
            }
        }

        /** The backlog; {@code gatewayNames} maps a chain id to its gateway's chain name (the command id's input). */
        RelayerView relayer(Map<Long, String> gatewayNames, long nowMillis) {
            Set<String> approved = new HashSet<>();
            Set<String> executed = new HashSet<>();
            for (ChainEvent e : events.values()) {
                if (ContractCallMessage.CONTRACT_NAME.equals(e.getContractName())) {
                    String commandId = e.getFields().get("commandId");
                    if (commandId != null && APPROVED.equals(e.getEventName())) {
                        approved.add(commandId.toLowerCase(Locale.ROOT));
                    } else if (commandId != null && EXECUTED.equals(e.getEventName())) {
                        executed.add(commandId.toLowerCase(Locale.ROOT));
                    }
                }
            }
            int sent = 0;
            int pending = 0;
            int awaiting = 0;
            long oldest = Long.MAX_VALUE;
            for (ChainEvent e : events.values()) {
                String source = gatewayNames.get(e.getSource().getChainId());
                if (!ContractCallMessage.isContractCall(e) || source == null) {
                    continue;
                }
                sent++;
                String commandId = Numeric.toHexString(GatewayApprovals.commandId(source, e.getSource().getTxHash(),
                        e.getSource().getLogIndex()));
                if (!executed.contains(commandId)) {
                    pending++;
                    oldest = Math.min(oldest, e.getEmittedAt());
                }
                if (!approved.contains(commandId)) {
                    awaiting++;
                }
            }
            long age = pending == 0 ? 0 : Math.max(0, (nowMillis - oldest) / 1000);
            return new RelayerView(sent, approved.size(), executed.size(), pending, awaiting, age);
        }

        /** Distinct workers that revealed for the round, on any chain. */
        int contributors(long taskId, int round) {
            Set<String> workers = new HashSet<>();
            for (ChainEvent e : events.values()) {
                Map<String, String> f = e.getFields();
                if (UPDATE_REVEALED.equals(e.getEventName()) && Long.toString(taskId).equals(f.get("taskId"))
                        && Integer.toString(round).equals(f.get("round"))) {
                    workers.add(e.getSource().getChainId() + ":" + f.get("worker").toLowerCase(Locale.ROOT));
                }
            }
            return workers.size();
        }

        /**
         * The task's latest round with a job commitment or a RoundCommitted event; the transaction hash
         * is the RoundCommitted's (null while the job's commitment is not on chain yet).
         */
        CommitView lastCommitment(long taskId) {
            TreeMap<Integer, String> committedTx = new TreeMap<>();
            for (ChainEvent e : events.values()) {
                Map<String, String> f = e.getFields();
                if (ROUND_COMMITTED.equals(e.getEventName()) && Long.toString(taskId).equals(f.get("taskId"))) {
                    committedTx.put(Integer.parseInt(f.get("round")), e.getSource().getTxHash());
                }
            }
            int round = -1;
            for (RoundCommitment c : commitments.values()) {
                if (c.getTaskId() == taskId) {
                    round = Math.max(round, c.getRound());
                }
            }
            if (!committedTx.isEmpty()) {
                round = Math.max(round, committedTx.lastKey());
            }
            if (round < 0) {
                return null;
            }
            RoundCommitment c = commitments.get(taskId + ":" + round);
            String root = c == null || c.getModelRoot() == null ? null : hex(c.getModelRoot());
            return new CommitView(round, c == null ? null : c.getOutcome().name(), c == null ? 0 : c.getContributors(),
                    root, committedTx.get(round), null);
        }

        private static String hex(ByteBuffer bytes) {
            ByteBuffer b = bytes.duplicate();
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return Numeric.toHexString(out);
        }
    }

    static Seen readTopics(String bootstrap) throws IOException {
        Properties p = KafkaClients.consumer(bootstrap, null, "tributary-status");
        p.setProperty(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        p.setProperty(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        Seen read = new Seen();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(Topics.CHAIN_BLOCKS.name(),
                    Topics.CHAIN_EVENTS.name(),
                    Topics.ROUND_COMMITMENTS.name())) {
                consumer.partitionsFor(topic, READ_TIMEOUT)
                        .forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, READ_TIMEOUT);
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("could not read chain.events, chain.blocks and rounds.commitments to their end"
                            + " within " + READ_TIMEOUT.toSeconds() + " s from " + bootstrap);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    String topic = r.topic();
                    if (topic.equals(Topics.CHAIN_BLOCKS.name())) {
                        read.block(Topics.CHAIN_BLOCKS.deserializeValue(r.value()));
                    } else if (topic.equals(Topics.CHAIN_EVENTS.name())) {
                        read.event(Topics.CHAIN_EVENTS.deserializeKey(r.key()),
                                Topics.CHAIN_EVENTS.deserializeValue(r.value()));
                    } else {
                        read.commitment(Topics.ROUND_COMMITMENTS.deserializeValue(r.value()));
                    }
                }
            }
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new IOException("cannot read the devnet's topics from " + bootstrap + ": " + e.getMessage(), e);
        }
        read.done();
        return read;
    }

    /** The compact text view. */
    static String render(Status s) {
        StringBuilder b = new StringBuilder();
        b.append("devnet ").append(s.devnet());
        if (s.homeTime() != null) {
            b.append("  (home time ").append(s.homeTime()).append(')');
        }
        b.append('\n');
        b.append(String.format(Locale.ROOT, "%-16s %8s %9s %10s %6s%n", "chain", "id", "head", "confirmed", "lag"));
        for (ChainView c : s.chains()) {
            b.append(String.format(Locale.ROOT, "%-16s %8d %9s %10s %6s%s%n", c.name(), c.chainId(), orDash(c.head()),
                    orDash(c.confirmed()), orDash(c.lagBlocks()), c.error() == null ? "" : "  " + c.error()));
        }
        RelayerView r = s.relayer();
        b.append(String.format(Locale.ROOT,
                "relayer backlog: %d pending (%d awaiting approval, oldest %d s); %d sent, %d approved, %d executed%n",
                r.pending(), r.awaitingApproval(), r.oldestPendingSeconds(), r.sent(), r.approved(), r.executed()));
        if (s.tasks().isEmpty()) {
            b.append("tasks: none posted\n");
        }
        for (TaskView t : s.tasks()) {
            b.append(String.format(Locale.ROOT, "task %d (%s): round %d of %d %s, %d contributor%s", t.taskId(),
                    t.status(), t.currentRound(), t.rounds(), t.phase(), t.contributors(),
                    t.contributors() == 1 ? "" : "s"));
            CommitView c = t.lastCommitment();
            if (c == null) {
                b.append("; no commitment yet");
            } else {
                b.append("; last commitment round ").append(c.round());
                if (c.outcome() != null) {
                    b.append(' ').append(c.outcome()).append(" (").append(c.contributors()).append(" contributors)");
                }
                if (c.txHash() == null) {
                    b.append(", not on chain yet");
                } else {
                    b.append(", tx ").append(c.txHash());
                    b.append(c.gasUsed() == null ? ", no receipt" : ", gas " + String.format(Locale.ROOT, "%,d", c.gasUsed()));
                }
            }
            b.append('\n');
        }
        return b.toString();
    }

    /** The same view as one JSON object. */
    static String toJson(Status s) throws IOException {
        return JSON.writeValueAsString(s);
    }

    private static String orDash(Long value) {
        return value == null ? "-" : Long.toString(value);
    }
}
