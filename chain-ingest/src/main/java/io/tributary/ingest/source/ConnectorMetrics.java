package io.tributary.ingest.source;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;
import java.util.function.LongSupplier;

/**
 * The log source connector's Prometheus metrics (infra/docs/metrics.md, {@code tributary-connector}),
 * one series per {@code chain}. The tasks of one Connect worker share one registry (one endpoint per
 * port), so the metrics are registered once per registry ({@link #of}) and every task takes the
 * children of its chain ({@link #chain}).
 */
public final class ConnectorMetrics {

    /** Upper bounds of the reorg depth histogram, in blocks. */
    static final double[] REORG_DEPTH_BUCKETS = {1, 2, 3, 5, 8, 13, 21, 34, 55};

    private static final Map<PrometheusRegistry, ConnectorMetrics> BY_REGISTRY = new WeakHashMap<>();
    private static final LongSupplier UNIX_SECONDS = () -> System.currentTimeMillis() / 1000;

    private final Gauge head;
    private final Gauge confirmed;
    private final Gauge lagBlocks;
    private final Gauge lagSeconds;
    private final Histogram reorgDepth;
    private final Counter retracted;
    private final Counter events;
    private final Counter rpcErrors;
    private final LongSupplier clock;

    private ConnectorMetrics(PrometheusRegistry registry, LongSupplier clock) {
        this.clock = clock;
        head = Gauge.builder().name("tributary_chain_head_block")
                .help("Newest block number the task has seen on the chain").labelNames("chain").register(registry);
        confirmed = Gauge.builder().name("tributary_chain_confirmed_block")
                .help("Newest block whose logs are confirmed and written to chain.events").labelNames("chain")
                .register(registry);
        lagBlocks = Gauge.builder().name("tributary_chain_lag_blocks")
                .help("Head minus confirmed block").labelNames("chain").register(registry);
        lagSeconds = Gauge.builder().name("tributary_chain_lag_seconds")
                .help("Age of the newest confirmed block: now minus its timestamp").labelNames("chain")
                .register(registry);
        reorgDepth = Histogram.builder().name("tributary_chain_reorg_depth_blocks")
                .help("Depth in blocks of every reorg of confirmed blocks seen").labelNames("chain")
                .classicOnly().classicUpperBounds(REORG_DEPTH_BUCKETS).register(registry);
        retracted = Counter.builder().name("tributary_chain_retracted_events_total")
                .help("Events retracted after a reorg").labelNames("chain").register(registry);
        events = Counter.builder().name("tributary_chain_events_total")
                .help("Confirmed log events written").labelNames("chain").register(registry);
        rpcErrors = Counter.builder().name("tributary_chain_rpc_errors_total")
                .help("Failed RPC calls by error class").labelNames("chain", "kind").register(registry);
    }

    /** The connector's metrics in {@code registry}, registered by the first caller. */
    public static ConnectorMetrics of(PrometheusRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        synchronized (BY_REGISTRY) {
            return BY_REGISTRY.computeIfAbsent(registry, r -> new ConnectorMetrics(r, UNIX_SECONDS));
        }
    }

    /** Metrics in {@code registry} whose "now" is {@code clock} (unix seconds), for tests. */
    static ConnectorMetrics withClock(PrometheusRegistry registry, LongSupplier clock) {
        return new ConnectorMetrics(registry, clock);
    }


    /** The series of chain {@code name}, every one created at 0 (every RPC error kind too). */
    public Chain chain(String name) {
        return new Chain(name);
    }

    /** The label value of an RPC error kind. */
    static String kindLabel(RpcErrorHandler.Kind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    /** One chain's series; fed by its task's {@link ChainFollower}. */
    public final class Chain implements ChainFollower.Listener {

        private final String name;
        private final GaugeDataPoint headBlock;
        private final GaugeDataPoint confirmedBlock;
        private final GaugeDataPoint lag;
        private final GaugeDataPoint lagTime;
        private final DistributionDataPoint depth;
        private final CounterDataPoint retractedEvents;
        private final CounterDataPoint confirmedEvents;
        private final Map<RpcErrorHandler.Kind, CounterDataPoint> errors = new EnumMap<>(RpcErrorHandler.Kind.class);
        private long headNumber = -1;
        private long confirmedNumber = -1;
        private long confirmedTime;

        private Chain(String name) {
            this.name = Objects.requireNonNull(name, "name");
            headBlock = head.labelValues(name);
            confirmedBlock = confirmed.labelValues(name);
            lag = lagBlocks.labelValues(name);
            lagTime = lagSeconds.labelValues(name);
            depth = reorgDepth.labelValues(name);
            retractedEvents = retracted.labelValues(name);
            confirmedEvents = events.labelValues(name);
            for (RpcErrorHandler.Kind kind : RpcErrorHandler.Kind.values()) {
                errors.put(kind, rpcErrors.labelValues(name, kindLabel(kind)));
            }
        }

        public String name() {
            return name;
        }

        @Override
        public synchronized void head(long number) {
            headNumber = number;
            headBlock.set(number);
            updateLag();
        }

        @Override
        public synchronized void confirmed(BlockHeader newest) {
            confirmedNumber = newest.number();
            confirmedTime = newest.timestamp();
            confirmedBlock.set(confirmedNumber);
            updateLag();
        }

        @Override
        public void reorg(int depthBlocks) {
            depth.observe(depthBlocks);
        }

        /** Events handed to Connect for {@code chain.events}: {@code confirmed} new ones, {@code retracted} retractions. */
        public void written(long confirmedCount, long retractedCount) {
            confirmedEvents.inc(confirmedCount);
            retractedEvents.inc(retractedCount);
        }

        @Override
        public void rpcError(RpcErrorHandler.Kind kind) {
            errors.get(kind).inc();
        }

        /**
         * Lag once both ends are known, updated at every poll; never negative (a head read before a
         * reorg may trail, a block's timestamp may be slightly ahead of this clock).
         */
        private void updateLag() {
            if (headNumber < 0 || confirmedNumber < 0) {
                return;
            }
            lag.set(Math.max(0, headNumber - confirmedNumber));
            lagTime.set(Math.max(0, clock.getAsLong() - confirmedTime));
        }
    }
}
