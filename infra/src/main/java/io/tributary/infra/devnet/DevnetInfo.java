package io.tributary.infra.devnet;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tributary.contracts.deploy.ChainContracts;
import io.tributary.contracts.deploy.Deployment;
import io.tributary.contracts.deploy.KeyRoles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * What a running devnet offers, as written to {@code DIR/devnet.json} once everything answers. The
 * file's presence means "ready"; other parts of Tributary read it to find the chains, Kafka and
 * Postgres. Unknown fields are ignored on read, so later versions can add sections.
 *
 * <p>Once the protocol suite is deployed, every chain carries its {@code contracts} (every address,
 * the gateway's chain name, guardians with their dev key index, threshold, and the transaction of
 * every deployment step) and {@code deployment} says which dev key plays which role and where the
 * deployer keeps its journal. Both are null in a file written before the deployment.
 *
 * <p>{@code ingest} says where the Kafka Connect worker's REST API is, the name of the EVM log
 * source connector running on it, and where the relayer keeps its state; null without them.
 *
 * <p>{@code intake} says how the task intake service runs (consumer group, the dev key that pays
 * for {@code postTaskFor}, its transaction state); null without it.
 *
 * <p>{@code flink} says where the round aggregation job runs (the MiniCluster's REST API, the job id,
 * its state dir); null without it.
 *
 * <p>{@code metrics} lists the Prometheus endpoint of every part (scrape job, part, URL) and the
 * Prometheus config that scrapes them ({@link PrometheusTargets}); null without them.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DevnetInfo(
        int version,
        String dir,
        long supervisorPid,
        List<Chain> chains,
        Kafka kafka,
        Postgres postgres,
        List<Long> pids,
        DeploymentSection deployment,
        Ingest ingest,
        Intake intake,
        Flink flink,
        Metrics metrics) {

    /** The format version this code writes. */
    public static final int VERSION = 1;
    /** File name inside the devnet directory. */
    public static final String FILE_NAME = "devnet.json";

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public DevnetInfo {
        Objects.requireNonNull(dir, "dir");
        chains = List.copyOf(Objects.requireNonNull(chains, "chains"));
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(postgres, "postgres");
        pids = List.copyOf(Objects.requireNonNull(pids, "pids"));
    }

    /** A devnet without a deployment (yet). */
    public DevnetInfo(int version, String dir, long supervisorPid, List<Chain> chains, Kafka kafka, Postgres postgres,
            List<Long> pids) {
        this(version, dir, supervisorPid, chains, kafka, postgres, pids, null, null, null, null, null);
    }

    /** A devnet with a deployment (or none) but without the ingest section. */
    public DevnetInfo(int version, String dir, long supervisorPid, List<Chain> chains, Kafka kafka, Postgres postgres,
            List<Long> pids, DeploymentSection deployment) {
        this(version, dir, supervisorPid, chains, kafka, postgres, pids, deployment, null, null, null, null);
    }

    /**
     * Where the change capture and the relayer run: the REST endpoint of the Kafka Connect worker
     * (in the supervisor), the name of its EVM log source connector, and the relayer's state dir.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Ingest(String connectRestUrl, String connectorName, String relayerStateDir) {
        public Ingest {
            Objects.requireNonNull(connectRestUrl, "connectRestUrl");
            Objects.requireNonNull(connectorName, "connectorName");
        }
    }

    /** This devnet with its ingest section. */
    public DevnetInfo withIngest(Ingest section) {
        return new DevnetInfo(version, dir, supervisorPid, chains, kafka, postgres, pids, deployment, section, intake, flink, metrics);
    }

    /**
     * How the task intake runs in the supervisor: its Kafka consumer group, the index of the dev key
     * that sends (and pays for) {@code TaskIntake.postTaskFor}, and its transaction writer's state dir.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Intake(String groupId, int submitterKeyIndex, String stateDir) {
        public Intake {
            Objects.requireNonNull(groupId, "groupId");
            Objects.requireNonNull(stateDir, "stateDir");
        }
    }

    /** This devnet with its intake section. */
    public DevnetInfo withIntake(Intake section) {
        return new DevnetInfo(version, dir, supervisorPid, chains, kafka, postgres, pids, deployment, ingest, section, flink, metrics);
    }

    /**
     * Where the round aggregation job runs: the REST API of the devnet's Flink MiniCluster (web UI,
     * {@code ./tributary flink list --rest}), the job's id and name, and its state dir (checkpoints,
     * the commit writer's nonces).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Flink(String restUrl, String jobId, String jobName, String stateDir) {
        public Flink {
            Objects.requireNonNull(restUrl, "restUrl");
            Objects.requireNonNull(jobId, "jobId");
        }
    }

    /** This devnet with its flink section. */
    public DevnetInfo withFlink(Flink section) {
        return new DevnetInfo(version, dir, supervisorPid, chains, kafka, postgres, pids, deployment, ingest, intake, section, metrics);
    }

    /** One Prometheus endpoint: its scrape job ({@code MetricsComponent}), which part it is, its URL. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Endpoint(String job, String part, String url) {
        public Endpoint {
            Objects.requireNonNull(job, "job");
            Objects.requireNonNull(url, "url");
        }
    }

    /** Where every part serves its metrics, and the Prometheus config that scrapes them. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Metrics(String prometheusConfig, List<Endpoint> endpoints) {
        public Metrics {
            endpoints = List.copyOf(endpoints);
        }
    }

    /** This devnet with its metrics section. */
    public DevnetInfo withMetrics(Metrics section) {
        return new DevnetInfo(version, dir, supervisorPid, chains, kafka, postgres, pids, deployment, ingest, intake, flink, section);
    }

    /**
     * The deployment section: which dev key (index into every chain's {@code devKeys}) plays which
     * role, and the directory of the deployer's journal and transaction-writer state.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record DeploymentSection(KeyRoles roles, String stateDir) {
        public DeploymentSection {
            Objects.requireNonNull(roles, "roles");
        }
    }

    /** This devnet with {@code deployment}'s contracts on its chains. */
    public DevnetInfo withDeployment(Deployment deployment, Path stateDir) {
        List<Chain> deployed = new ArrayList<>();
        for (Chain chain : chains) {
            deployed.add(chain.withContracts(deployment.chain(chain.name())));
        }
        return new DevnetInfo(version, dir, supervisorPid, deployed, kafka, postgres, pids,
                new DeploymentSection(deployment.roles(), stateDir.toString()), ingest, intake, flink, metrics);
    }

    /** The deployed suite across the chains; fails if the devnet has none. */
    public Deployment deployedSuite() {
        if (deployment == null || chains.stream().anyMatch(c -> c.contracts() == null)) {
            throw new NoSuchElementException("the devnet in " + dir + " has no deployed contracts");
        }
        return new Deployment(Deployment.VERSION, home().name(), deployment.roles(),
                chains.stream().map(Chain::contracts).toList());
    }

    /** Role of a chain in the network (DESIGN.md: one home chain, several participant chains). */
    public enum Role {
        @JsonProperty("home") HOME,
        @JsonProperty("participant") PARTICIPANT
    }

    /** A funded development account. */
    public record DevKey(String address, String privateKey) {}

    /** One anvil chain. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Chain(
            String name,
            long chainId,
            Role role,
            long blockTimeMillis,
            String rpcUrl,
            String wsUrl,
            List<DevKey> devKeys,
            long pid,
            ChainContracts contracts) {
        public Chain {
            devKeys = List.copyOf(devKeys);
        }

        /** A chain without contracts (yet). */
        public Chain(String name, long chainId, Role role, long blockTimeMillis, String rpcUrl, String wsUrl,
                List<DevKey> devKeys, long pid) {
            this(name, chainId, role, blockTimeMillis, rpcUrl, wsUrl, devKeys, pid, null);
        }

        /** This chain with its deployed contracts. */
        public Chain withContracts(ChainContracts deployed) {
            return new Chain(name, chainId, role, blockTimeMillis, rpcUrl, wsUrl, devKeys, pid, deployed);
        }
    }

    /** The Kafka broker and the topics created on it. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Kafka(String bootstrapServers, List<String> topics, int partitions, long pid) {
        public Kafka {
            topics = List.copyOf(topics);
        }
    }

    /** The Postgres server (started with wal_level=logical). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Postgres(String jdbcUrl, String user, String password, long pid) {}

    /** The chain with this name. */
    public Chain chain(String name) {
        return chains.stream()
                .filter(c -> c.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new NoSuchElementException("no chain named " + name + " in the devnet"));
    }

    /** The home chain. */
    public Chain home() {
        return chains.stream()
                .filter(c -> c.role() == Role.HOME)
                .findFirst()
                .orElseThrow(() -> new NoSuchElementException("the devnet has no home chain"));
    }

    /** Where this devnet's file lives inside {@code dir}. */
    public static Path file(Path dir) {
        return dir.resolve(FILE_NAME);
    }

    /** Writes the file atomically (a reader never sees half of it). */
    public void write(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.createDirectories(file.toAbsolutePath().getParent());
        MAPPER.writeValue(tmp.toFile(), this);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Reads a devnet file; refuses one written by a newer, incompatible version. */
    public static DevnetInfo read(Path file) throws IOException {
        DevnetInfo info = MAPPER.readValue(file.toFile(), DevnetInfo.class);
        if (info.version() > VERSION) {
            throw new IOException(file + " has version " + info.version()
                    + " but this build understands up to version " + VERSION);
        }
        return info;
    }
}
