package io.tributary.schemas.metrics;

import java.util.Arrays;
import java.util.NoSuchElementException;

/**
 * The single registry of Tributary's Prometheus endpoints: every long-running part, the scrape job
 * it is found under and the port it listens on unless told otherwise. Scrape configs, compose and
 * Kubernetes files use exactly these (DeploymentFilesTest checks them), and the devnet gives every
 * part a free port instead but keeps the job names.
 */
public enum MetricsComponent {
    /** The EVM log source connector: one endpoint per Kafka Connect worker, a series per chain. */
    CONNECTOR("tributary-connector", 9401),
    /** The guardian relayer (guardians and submitter). */
    RELAYER("tributary-relayer", 9402),
    /** The task intake service. */
    INTAKE("tributary-intake", 9403),
    /** The round keeper. */
    KEEPER("tributary-keeper", 9404),
    /** A trainer node (worker). */
    WORKER("tributary-worker", 9405),
    /** The round aggregation job, through Flink's Prometheus reporter (its default port). */
    FLINK("tributary-flink", 9249);

    private final String job;
    private final int defaultPort;

    MetricsComponent(String job, int defaultPort) {
        this.job = job;
        this.defaultPort = defaultPort;
    }

    /** The Prometheus scrape job name. */
    public String job() {
        return job;
    }

    /** The port the part listens on when its configuration names none. */
    public int defaultPort() {
        return defaultPort;
    }

    /** The component scraped under {@code job}. */
    public static MetricsComponent ofJob(String job) {
        return Arrays.stream(values())
                .filter(c -> c.job.equals(job))
                .findFirst()
                .orElseThrow(() -> new NoSuchElementException("no Tributary component is scraped as job " + job));
    }
}
