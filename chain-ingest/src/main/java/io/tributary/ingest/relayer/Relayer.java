package io.tributary.ingest.relayer;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The guardians and/or the submitter one process runs: {@code ./tributary relayer --guardian K} runs
 * guardian K, {@code --submitter} the submitter, and with neither every configured guardian and the
 * submitter (the devnet's all-in-one relayer).
 */
public final class Relayer implements AutoCloseable {

    private final List<Guardian> guardians;
    private final Submitter submitter;

    private Relayer(List<Guardian> guardians, Submitter submitter) {
        this.guardians = List.copyOf(guardians);
        this.submitter = submitter;
    }

    /**
     * Starts guardians {@code guardianIndexes} (1-based; empty and no submitter: all of them) and the
     * submitter if {@code withSubmitter} (or if nothing was chosen).
     */
    public static Relayer start(RelayerConfig config, List<Integer> guardianIndexes, boolean withSubmitter,
            RelayerListener listener) {
        return start(config, guardianIndexes, withSubmitter, listener, new PrometheusRegistry());
    }

    /**
     * Like {@link #start(RelayerConfig, List, boolean, RelayerListener)}, with the submitter's metrics
     * ({@link RelayerMetrics}, a series per destination chain) and the guardians' attestations signed
     * ({@code tributary_relayer_attestations_signed_total}, a series per guardian number) in
     * {@code metrics}.
     */
    public static Relayer start(RelayerConfig config, List<Integer> guardianIndexes, boolean withSubmitter,
            RelayerListener listener, PrometheusRegistry metrics) {
        boolean all = guardianIndexes.isEmpty() && !withSubmitter;
        List<Integer> chosen = new ArrayList<>(guardianIndexes);
        if (all) {
            for (int k = 1; k <= config.guardianKeys().size(); k++) {
                chosen.add(k);
            }
        }
        List<Guardian> guardians = new ArrayList<>();
        Map<String, Guardian> byNumber = new LinkedHashMap<>();
        for (int k : chosen) {
            Guardian guardian = Guardian.of(config, k, listener);
            guardians.add(guardian);
            byNumber.put(Integer.toString(k), guardian);
        }
        if (!byNumber.isEmpty()) {
            CounterWithCallback.builder().name("tributary_relayer_attestations_signed_total")
                    .help("Approval digests a guardian signed and published to gateway.attestations")
                    .labelNames("guardian")
                    .callback(cb -> byNumber.forEach((k, g) -> cb.call(g.signedCount(), k)))
                    .register(metrics);
        }
        Submitter submitter = (withSubmitter || all) ? new Submitter(config, listener, RelayerMetrics.of(metrics, config))
                : null;
        Relayer relayer = new Relayer(guardians, submitter);
        guardians.forEach(Guardian::start);
        if (submitter != null) {
            submitter.start();
        }
        return relayer;
    }

    public List<Guardian> guardians() {
        return guardians;
    }

    public Optional<Submitter> submitter() {
        return Optional.ofNullable(submitter);
    }

    /** The first guardian or submitter that crashed, if any. */
    public Optional<Worker> crashed() {
        List<Worker> all = new ArrayList<>(guardians);
        if (submitter != null) {
            all.add(submitter);
        }
        return all.stream().filter(w -> w.failure().isPresent()).findFirst();
    }

    @Override
    public void close() throws InterruptedException {
        if (submitter != null) {
            submitter.close();
        }
        for (Guardian g : guardians) {
            g.close();
        }
    }
}
