package io.tributary.trainer.node;

import io.tributary.contracts.tx.TxRevertedException;
import io.tributary.trainer.node.RoundStateMachine.Action;
import io.tributary.trainer.node.RoundStateMachine.Step;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives the rounds of one worker through {@link RoundStateMachine}: it performs each step against
 * the chain, records the new phase in the durable {@link NodeState} right after the step, and so
 * resumes wherever a crash left it. The salt and the encoded update are saved before the commit,
 * so a restarted worker never commits a second, different update and reveals what it committed.
 *
 * <p>Every change of phase goes through {@link #record}, which also feeds the {@link WorkerMetrics}:
 * the time the round spent in the phase it leaves (measured in this process, or, for a phase entered
 * before it started, since the recorded change, or since the round opened for NEW, by the chain
 * clock), and a contributed round on every reveal.
 */
public final class RoundDriver {

    private static final Logger LOG = LoggerFactory.getLogger(RoundDriver.class);
    private static final HexFormat HEX = HexFormat.of();

    /** An update ready to commit: the encoded update, and the weight and dataRoot to reveal with it. */
    public record Prepared(StoredUpdate update, long weight, byte[] dataRoot) {}

    /** Trains and encodes a round's update; empty when it cannot yet (e.g. the global model is not out). */
    @FunctionalInterface
    public interface Preparer {
        Optional<Prepared> prepare(TaskSchedule task, int round) throws IOException;
    }

    /** Publishes a revealed update's chunks. */
    @FunctionalInterface
    public interface Publisher {
        void publish(TaskSchedule task, int round, RoundRecord record, StoredUpdate update) throws IOException;
    }

    private final NodeChain chain;
    private final NodeState state;
    private final RoundStateMachine machine;
    private final Preparer preparer;
    private final Publisher publisher;
    private final LongSupplier clock;
    private final WorkerMetrics metrics;
    private final SecureRandom random = new SecureRandom();
    /** When (System.nanoTime) each record entered its phase in this process; records in an end phase are dropped. */
    private final Map<RoundRecord, Long> enteredAt = new IdentityHashMap<>();

    public RoundDriver(NodeChain chain, NodeState state, RoundStateMachine machine, Preparer preparer, Publisher publisher,
                       LongSupplier clock, WorkerMetrics metrics) {
        this.chain = chain;
        this.state = state;
        this.machine = machine;
        this.preparer = preparer;
        this.publisher = publisher;
        this.clock = clock;
        this.metrics = metrics;
    }

    /**
     * Takes every step of (task, round) that can be taken now; returns the step it stopped at
     * (WAIT with the time to come back, PREPARE when the update could not be prepared yet, or DONE).
     */
    public Step advance(TaskSchedule task, int round) throws IOException, InterruptedException {
        RoundRecord rec = state.round(task.taskId(), round);
        while (true) {
            Step step = machine.next(rec.phase, task, round, clock.getAsLong());
            switch (step.action()) {
                case WAIT, DONE:
                    return step;
                case PREPARE:
                    if (!prepare(task, round, rec)) {
                        return step;
                    }
                    break;
                case COMMIT:
                    commit(task, round, rec);
                    break;
                case CONFIRM_COMMIT: {
                    NodeChain.Entry e = chain.entry(task.taskId(), round);
                    if (e.committed() && Arrays.equals(e.commitment(), hex(rec.commitment))) {
                        record(task, round, rec, RoundPhase.COMMITTED, null);
                    } else {
                        record(task, round, rec, RoundPhase.MISSED, "the commit window closed before the commitment was on chain");
                    }
                    break;
                }
                case REVEAL:
                    reveal(task, round, rec);
                    break;
                case CONFIRM_REVEAL: {
                    NodeChain.Entry e = chain.entry(task.taskId(), round);
                    if (e.revealed() && Arrays.equals(e.updateRoot(), hex(rec.updateRoot))) {
                        record(task, round, rec, RoundPhase.REVEALED, null);
                    } else {
                        record(task, round, rec, RoundPhase.MISSED, "the reveal window closed before the reveal was on chain");
                    }
                    break;
                }
                case PUBLISH:
                    publisher.publish(task, round, rec, load(rec));
                    record(task, round, rec, RoundPhase.PUBLISHED, null);
                    LOG.info("task {} round {}: published the update's chunks", task.taskId(), round);
                    break;
                case MISS:
                    record(task, round, rec, RoundPhase.MISSED, "the commit window had passed when the worker came to the round");
                    break;
                default:
                    throw new AssertionError(step);
            }
        }
    }

    private boolean prepare(TaskSchedule task, int round, RoundRecord rec) throws IOException {
        if (!chain.hubKnowsTask(task.taskId())) {
            LOG.debug("task {}: the hub on chain {} has not heard of it yet", task.taskId(), chain.chainId());
            return false;
        }
        Optional<Prepared> prepared = preparer.prepare(task, round);
        if (prepared.isEmpty()) {
            return false;
        }
        Prepared p = prepared.get();
        String file = "updates/task-" + task.taskId() + "-round-" + round + ".update";
        p.update().write(state.directory().resolve(file));
        byte[] salt = new byte[32];
        random.nextBytes(salt);
        byte[] root = p.update().root();
        byte[] commitment = chain.commitmentOf(root, p.weight(), p.dataRoot(), salt);
        rec.salt = hex(salt);
        rec.updateRoot = hex(root);
        rec.dataRoot = hex(p.dataRoot());
        rec.weight = p.weight();
        rec.commitment = hex(commitment);
        rec.updateFile = file;
        record(task, round, rec, RoundPhase.PREPARED, null);
        LOG.info("task {} round {}: update prepared, root {} weight {}", task.taskId(), round, rec.updateRoot, rec.weight);
        return true;
    }

    private void commit(TaskSchedule task, int round, RoundRecord rec) throws IOException, InterruptedException {
        try {
            rec.commitTx = chain.commit(task.taskId(), round, hex(rec.commitment));
            record(task, round, rec, RoundPhase.COMMITTED, null);
            LOG.info("task {} round {}: committed in {}", task.taskId(), round, rec.commitTx);
        } catch (IOException e) {
            if (!(e.getCause() instanceof TxRevertedException)) {
                throw e;
            }
            NodeChain.Entry onChain = chain.entry(task.taskId(), round);
            if (onChain.committed() && Arrays.equals(onChain.commitment(), hex(rec.commitment))) {
                record(task, round, rec, RoundPhase.COMMITTED, null);
            } else {
                record(task, round, rec, RoundPhase.MISSED, "commit reverted: " + e.getCause().getMessage());
            }
        }
    }

    private void reveal(TaskSchedule task, int round, RoundRecord rec) throws IOException, InterruptedException {
        try {
            rec.revealTx = chain.reveal(task.taskId(), round, hex(rec.updateRoot), rec.weight, hex(rec.dataRoot), hex(rec.salt));
            record(task, round, rec, RoundPhase.REVEALED, null);
            LOG.info("task {} round {}: revealed in {}", task.taskId(), round, rec.revealTx);
        } catch (IOException e) {
            if (!(e.getCause() instanceof TxRevertedException)) {
                throw e;
            }
            NodeChain.Entry onChain = chain.entry(task.taskId(), round);
            if (onChain.revealed() && Arrays.equals(onChain.updateRoot(), hex(rec.updateRoot))) {
                record(task, round, rec, RoundPhase.REVEALED, null);
            } else {
                record(task, round, rec, RoundPhase.MISSED, "reveal reverted: " + e.getCause().getMessage());
            }
        }
    }

    private StoredUpdate load(RoundRecord rec) throws IOException {
        Path file = state.directory().resolve(rec.updateFile);
        return StoredUpdate.read(file, hex(rec.updateRoot));
    }

    /** Moves (task, round) to {@code phase} (with the reason of a miss or failure), saves the state, updates the metrics. */
    void record(TaskSchedule task, int round, RoundRecord rec, RoundPhase phase, String reason) throws IOException {
        RoundPhase left = rec.phase;
        long now = clock.getAsLong();
        long nanos = System.nanoTime();
        Long since = enteredAt.remove(rec);
        double seconds = since != null ? (nanos - since) / 1e9
                : now - (left == RoundPhase.NEW ? task.open(round) : rec.updatedAt);
        rec.phase = phase;
        rec.reason = reason;
        rec.updatedAt = now;
        state.save();
        boolean end = phase == RoundPhase.CLAIMED || phase == RoundPhase.UNCLAIMABLE || phase == RoundPhase.MISSED;
        if (!end) {
            enteredAt.put(rec, nanos);
        }
        if (phase != left) {
            metrics.phaseLeft(left, seconds);
            if (phase.revealed() && !left.revealed()) {
                metrics.contributed(1);
            }
        }
        if (phase == RoundPhase.MISSED) {
            LOG.warn("task {} round {} missed: {}", task.taskId(), round, reason);
        }
    }

    static String hex(byte[] b) {
        return "0x" + HEX.formatHex(b);
    }

    static byte[] hex(String s) {
        return HEX.parseHex(s.startsWith("0x") ? s.substring(2) : s);
    }
}
