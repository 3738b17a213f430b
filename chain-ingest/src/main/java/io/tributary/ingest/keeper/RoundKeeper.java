package io.tributary.ingest.keeper;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tributary.contracts.tx.TxWriteException;
import io.tributary.ingest.kafka.KafkaClients;
import io.tributary.schemas.Topics;
import io.tributary.schemas.avro.ChainEvent;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The round keeper: takes every round of every task all the way to Finalized or Failed. It follows
 * the home TaskCoordinator's events in {@code chain.events} (read_committed, from the beginning, no
 * consumer group: a restart reads everything again) and the home chain's clock, and for each round
 * <ul>
 *   <li>committed and past {@code committedAt + challengeWindow}: sends {@code finalizeRound}
 *       (which sends ROUND_FINALIZED to every participant chain's RewardVault through the Gateway);
 *   <li>uncommitted at its aggregation deadline, task active: sends {@code failRound}.
 * </ul>
 * The events only say when to look: before sending, the keeper asks the coordinator's views for the
 * round's state now (the chain is the truth, events may lag by the connector's confirmations), and
 * sends through the operator's transaction writer under {@code keeper/finalize/T/R} or
 * {@code keeper/fail/T/R}, so a restart never sends a round's action twice; a revert saying the round
 * is already settled counts as done. One log line per action; a round whose action has been due for
 * {@link KeeperConfig#stuckAfter()} of home time without succeeding is reported as stuck (a warning
 * and {@link #stuckRounds()}).
 */
public final class RoundKeeper implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RoundKeeper.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final String CLIENT_ID = "round-keeper";

    private final KeeperConfig config;
    private final HomeCoordinator home;
    private final RoundBook book;
    private final KeeperMetrics metrics;
    private final Map<Long, HomeCoordinator.Terms> terms = new HashMap<>();
    /** Rounds known settled (events, views, or the keeper's own writes). */
    private final Set<String> done = new HashSet<>();
    /** Rounds whose last attempt failed (their first failure is logged as a warning, repeats at debug). */
    private final Set<String> failing = new HashSet<>();
    private final Map<String, StuckRound> stuck = new ConcurrentHashMap<>();
    private final AtomicLong alreadySettled = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread thread;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean stopping;
    private volatile Throwable failure;
    private volatile long homeTime;

    private RoundKeeper(KeeperConfig config, HomeCoordinator home, KeeperMetrics metrics) {
        this.config = config;
        this.home = home;
        this.metrics = metrics;
        this.book = new RoundBook(config.chainId(), config.coordinator());
        this.thread = new Thread(this::run, "round-keeper");
        this.thread.setDaemon(true);
    }

    /** Connects to the home chain, opens the operator's writer, then follows and acts in its own thread. */
    public static RoundKeeper start(KeeperConfig config) throws IOException, InterruptedException {
        return start(config, new PrometheusRegistry());
    }

    /**
     * Like {@link #start(KeeperConfig)}, registering the keeper's metrics (rounds finalized and failed,
     * gas per call; infra/docs/metrics.md) in {@code metrics}.
     */
    public static RoundKeeper start(KeeperConfig config, PrometheusRegistry metrics)
            throws IOException, InterruptedException {
        KeeperMetrics keeperMetrics = new KeeperMetrics(metrics);
        HomeCoordinator home = HomeCoordinator.connect(config);
        RoundKeeper keeper = new RoundKeeper(config, home, keeperMetrics);
        keeper.thread.start();
        return keeper;
    }

    /** Waits until the keeper has read {@code chain.events} up to the end it found at start; false on timeout or crash. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS) && failure == null;
    }

    /** The operator address that sends (and pays for) the keeper's transactions. */
    public String operator() {
        return home.operator();
    }

    /** Counters since start. */
    public Stats stats() {
        return new Stats(metrics.finalizedCount(), metrics.failedCount(), alreadySettled.get(), errors.get(), homeTime);
    }

    /**
     * @param finalized rounds this keeper finalized (including ones found sent before a restart)
     * @param failed rounds this keeper failed
     * @param alreadySettled due rounds someone else had settled (a revert said so)
     * @param errors attempts that failed and will be retried
     * @param homeTime the home chain's time at the last look (unix seconds)
     */
    public record Stats(long finalized, long failed, long alreadySettled, long errors, long homeTime) {}

    /**
     * A round whose action has been due too long.
     *
     * @param action what should happen to it
     * @param dueSince home time from which it was due
     * @param lastError why the last attempt failed, or empty if the chain still says "not yet"
     */
    public record StuckRound(long taskId, int round, RoundFacts.Action action, long dueSince, String lastError) {}

    /** The rounds stuck now, by task and round. */
    public List<StuckRound> stuckRounds() {
        List<StuckRound> list = new ArrayList<>(stuck.values());
        list.sort((a, b) -> a.taskId() != b.taskId() ? Long.compare(a.taskId(), b.taskId())
                : Integer.compare(a.round(), b.round()));
        return list;
    }

    /** What ended the loop, if it crashed. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    private void run() {
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(KafkaClients.consumer(config.kafkaBootstrap(), null, CLIENT_ID))) {
            consumer = c;
            List<TopicPartition> partitions = c.partitionsFor(Topics.CHAIN_EVENTS.name(), Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            if (partitions.isEmpty()) {
                throw new IllegalStateException("topic " + Topics.CHAIN_EVENTS.name() + " does not exist on "
                        + config.kafkaBootstrap());
            }
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(c.endOffsets(partitions));
            LOG.info("round keeper: operator {}, coordinator {} on chain {}, following {} ({} partitions)",
                    home.operator(), config.coordinator(), config.chainId(), Topics.CHAIN_EVENTS.name(), partitions.size());
            long nextTick = 0;
            while (!stopping) {
                for (ConsumerRecord<byte[], byte[]> record : c.poll(POLL)) {
                    accept(record);
                }
                if (ready.getCount() > 0) {
                    end.entrySet().removeIf(e -> c.position(e.getKey()) >= e.getValue());
                    if (!end.isEmpty()) {
                        continue;
                    }
                    LOG.info("round keeper caught up with {}: {} tasks", Topics.CHAIN_EVENTS.name(), book.tasks().size());
                    ready.countDown();
                }
                if (System.nanoTime() - nextTick >= 0) {
                    tick();
                    nextTick = System.nanoTime() + config.tickInterval().toNanos();
                }
            }
        } catch (WakeupException | InterruptedException e) {
            if (!stopping) {
                failure = e;
                LOG.error("round keeper interrupted", e);
            }
        } catch (Throwable e) {
            failure = e;
            LOG.error("round keeper crashed: {}", e.toString(), e);
        } finally {
            consumer = null;
            ready.countDown();
            finished.countDown();
        }
    }

    private void accept(ConsumerRecord<byte[], byte[]> record) {
        try {
            ChainEvent event = Topics.CHAIN_EVENTS.deserializeValue(record.value());
            if (book.apply(event, Topics.CHAIN_EVENTS.deserializeKey(record.key()))
                    && RoundBook.TASK_POSTED.equals(event.getEventName())) {
                terms.remove(Long.parseLong(event.getFields().get("taskId"))); // re-read after a retraction
            }
        } catch (RuntimeException e) {
            LOG.warn("round keeper skips {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.toString());
        }
    }

    /** One look at the home clock: acts on every round that is due. */
    void tick() throws InterruptedException {
        long now;
        try {
            now = home.now();
        } catch (IOException | RuntimeException e) {
            errors.incrementAndGet();
            LOG.warn("round keeper cannot read the home chain's time: {}", e.toString());
            return;
        }
        homeTime = now;
        for (long taskId : book.tasks()) {
            HomeCoordinator.Terms t = terms(taskId);
            if (t == null) {
                continue;
            }
            for (int round = 0; round < t.rounds() && !stopping; round++) {
                String id = RoundBook.roundId(taskId, round);
                if (done.contains(id)) {
                    continue;
                }
                RoundFacts.Decision decision =
                        book.facts(taskId, round, t.aggregationDeadline(round), t.challengeWindow()).decide(now);
                if (decision.action() == RoundFacts.Action.NOTHING) {
                    settle(id);
                } else if (decision.sends()) {
                    act(taskId, round, t, now, decision);
                }
            }
        }
    }

    private HomeCoordinator.Terms terms(long taskId) {
        HomeCoordinator.Terms t = terms.get(taskId);
        if (t == null) {
            try {
                t = home.terms(taskId);
                terms.put(taskId, t);
            } catch (IOException | RuntimeException e) {
                errors.incrementAndGet();
                LOG.warn("round keeper cannot read the schedule of task {}: {}", taskId, e.toString());
            }
        }
        return t;
    }

    /** The events say the round is due: ask the chain, then send if it agrees. */
    private void act(long taskId, int round, HomeCoordinator.Terms t, long now, RoundFacts.Decision byEvents)
            throws InterruptedException {
        String id = RoundBook.roundId(taskId, round);
        String lastError = "";
        RoundFacts.Decision decision = byEvents;
        try {
            decision = home.facts(taskId, round, t).decide(now);
            switch (decision.action()) {
                case NOTHING -> {
                    settle(id);
                    return;
                }
                case WAIT -> {
                    return; // the chain disagrees with the (lagging) events: e.g. committed just now
                }
                default -> { }
            }
            HomeCoordinator.Outcome outcome = home.send(decision.action(), taskId, round);
            if (outcome.kind() == HomeCoordinator.Outcome.Kind.ALREADY_SETTLED) {
                alreadySettled.incrementAndGet();
                LOG.info("keeper: round {} of task {} was already settled ({})", round, taskId, outcome.detail());
            } else {
                metrics.settled(decision.action(), outcome.gasUsed());
                LOG.info("keeper: {} round {} of task {} in {} (block {}, gas {}){}",
                        decision.action() == RoundFacts.Action.FINALIZE ? "finalized" : "failed", round, taskId,
                        outcome.txHash(), outcome.block(), outcome.gasUsed(),
                        outcome.replayed() ? ", sent before a restart" : "");
            }
            settle(id);
            return;
        } catch (IOException | TxWriteException | RuntimeException e) {
            errors.incrementAndGet();
            lastError = e.toString();
            if (failing.add(id)) { // once per round; repeats go to debug (the stuck report follows)
                LOG.warn("keeper: {} of round {} of task {} failed, will retry: {}", decision.action(), round, taskId,
                        lastError);
            } else {
                LOG.debug("keeper: {} of round {} of task {} failed again: {}", decision.action(), round, taskId,
                        lastError);
            }
        }
        watch(id, new StuckRound(taskId, round, decision.action(), decision.at(), lastError), now);
    }

    private void watch(String id, StuckRound round, long now) {
        if (now - round.dueSince() < config.stuckAfter().toSeconds()) {
            return;
        }
        if (stuck.put(id, round) == null) {
            LOG.warn("keeper: round {} of task {} is stuck: {} due since {} ({} s of home time ago){}", round.round(),
                    round.taskId(), round.action(), round.dueSince(), now - round.dueSince(),
                    round.lastError().isEmpty() ? "" : "; last error: " + round.lastError());
        }
    }

    private void settle(String id) {
        done.add(id);
        failing.remove(id);
        if (stuck.remove(id) != null) {
            LOG.info("keeper: round {} is no longer stuck", id);
        }
    }

    /** Stops the loop and closes the writer and the RPC client. */
    @Override
    public void close() throws IOException, InterruptedException {
        stopping = true;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread.isAlive() && !finished.await(10, TimeUnit.SECONDS)) {
            LOG.warn("round keeper did not stop within 10 s");
        }
        home.close();
    }
}
