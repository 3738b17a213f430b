package io.tributary.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.contracts.deploy.ChainContracts;
import io.tributary.infra.devnet.DevnetInfo;
import io.tributary.ingest.client.TaskClient;
import io.tributary.schemas.avro.AggregationRule;
import io.tributary.schemas.avro.ReceiptStatus;
import io.tributary.schemas.avro.TaskReceipt;
import io.tributary.schemas.avro.TaskSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import org.web3j.crypto.Credentials;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tributary task post --spec FILE.json --key HEX [--devnet DIR] [--bounty TRN]}: posts a
 * training task the Kafka-native way. The spec file (README.md, "Task spec file";
 * {@code infra/src/main/resources/examples/task-spec.json}) is turned into a signed TaskRequest with
 * an ERC-2612 permit of the bounty, produced to {@code tasks.requests}; the command prints the
 * intake's receipt and exits 0 when the task was accepted, 2 when it was rejected.
 */
@Command(
        name = "task",
        mixinStandardHelpOptions = true,
        description = "Post training tasks through Kafka (the task intake posts them on the home chain).",
        subcommands = {TaskCommand.Post.class})
public final class TaskCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code task post}. */
    @Command(
            name = "post",
            mixinStandardHelpOptions = true,
            description = {"Sign a task request (EIP-712, with a permit of the bounty), produce it to "
                    + "tasks.requests, and print the receipt of the task intake.",
                "Exit status: 0 accepted, 2 rejected, 1 on any other failure."})
    static final class Post implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--spec", required = true, paramLabel = "FILE.json", description = "The task spec file.")
        Path specFile;

        @Option(names = "--key", required = true, paramLabel = "HEX",
                description = "Private key of the client who signs the request and pays the bounty.")
        String key;

        @Option(names = "--devnet", paramLabel = "DIR",
                description = "Devnet directory whose devnet.json names Kafka, the home chain and its contracts "
                        + "(default: target/devnet under the repository root).")
        Path devnet;

        @Option(names = "--bounty", paramLabel = "TRN",
                description = "Bounty in TRN (18 decimals, e.g. 250 or 0.5); overrides the spec file's \"bounty\".")
        String bounty;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120",
                description = "How long to wait for the receipt (default: ${DEFAULT-VALUE}).")
        int timeoutSeconds;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Path dir = (devnet != null ? devnet : Environment.current().defaultDevnetDir()).toAbsolutePath().normalize();
            Path file = DevnetInfo.file(dir);
            if (!Files.exists(file)) {
                throw new IOException(file + " does not exist (is the devnet up?)");
            }
            DevnetInfo info = DevnetInfo.read(file);
            DevnetInfo.Chain home = info.home();
            ChainContracts contracts = home.contracts();
            if (contracts == null) {
                throw new IOException("the devnet in " + dir + " has no deployed contracts");
            }
            if (timeoutSeconds < 1) {
                throw new IllegalArgumentException("--timeout must be at least 1 second");
            }
            Credentials client = credentials(key);
            JsonNode json = readSpec(specFile);
            String trn = bounty != null ? bounty : text(json, "bounty", null);
            if (trn == null) {
                throw new IllegalArgumentException("no bounty: give --bounty or \"bounty\" in " + specFile);
            }
            BigInteger baseUnits = SpecFile.trn(trn);
            try (TaskClient taskClient = TaskClient.builder()
                    .kafkaBootstrap(info.kafka().bootstrapServers())
                    .homeChain(home.rpcUrl(), home.chainId())
                    .contracts(contracts.taskIntake(), contracts.taskCoordinator(), contracts.trainingToken(),
                            contracts.modelRegistry())
                    .build()) {
                TaskSpec taskSpec = SpecFile.toSpec(json, info, taskClient.homeChainTime());
                out.printf("posting a %d-round task on model %s for %s TRN as %s%n", taskSpec.getRounds(),
                        taskSpec.getModelId(), trn, client.getAddress());
                out.flush();
                TaskReceipt receipt;
                try {
                    receipt = taskClient.post(taskSpec, baseUnits, client, Duration.ofSeconds(timeoutSeconds));
                } catch (TimeoutException e) {
                    throw new IOException(e.getMessage() + " (is the task intake running?)", e);
                }
                print(out, receipt);
                return receipt.getStatus() == ReceiptStatus.ACCEPTED ? 0 : 2;
            }
        }

        private static void print(PrintWriter out, TaskReceipt r) {
            out.printf("receipt  request %s%n", r.getRequestId());
            if (r.getStatus() == ReceiptStatus.ACCEPTED) {
                out.printf("ACCEPTED task %d  tx %s  block %d%n", r.getTaskId(), r.getTxHash(), r.getBlockNumber());
            } else {
                out.printf("REJECTED %s  %s%n", r.getReason(), r.getDetail());
            }
            out.flush();
        }

        private static Credentials credentials(String hex) {
            String k = hex.strip();
            if (!k.matches("(0x)?[0-9a-fA-F]{64}")) {
                throw new IllegalArgumentException("--key must be a 32-byte hex private key");
            }
            return Credentials.create(k);
        }
    }

    static JsonNode readSpec(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("spec file " + file + " does not exist");
        }
        JsonNode json = new ObjectMapper().readTree(file.toFile());
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException(file + " must hold a JSON object");
        }
        return json;
    }

    private static String text(JsonNode json, String field, String fallback) {
        JsonNode v = json.get(field);
        return v == null || v.isNull() ? fallback : v.asText();
    }

    /**
     * The task spec file (README.md, "Task spec file"): the Avro {@link TaskSpec} fields, with
     * {@code modelId} as a number (or 0x-hex), {@code startInSeconds} (from the home chain's time) in
     * place of an absolute {@code startTime}, chains by devnet name or id, and an optional
     * {@code bounty} in TRN.
     */
    static final class SpecFile {

        private static final Set<String> FIELDS = Set.of("modelId", "datasetRoot", "parameters", "rounds",
                "minContributors", "maxContributors", "startTime", "startInSeconds", "commitSeconds", "revealSeconds",
                "challengeSeconds", "clipL2Micros", "expMin", "expMax", "maxWeight", "rule", "ruleParam", "chains",
                "bounty");
        private static final BigDecimal TRN_UNIT = BigDecimal.TEN.pow(18);

        private SpecFile() {}

        /** The spec of {@code json}; {@code now} is the home chain's time (for {@code startInSeconds}). */
        static TaskSpec toSpec(JsonNode json, DevnetInfo info, long now) {
            List<String> problems = new ArrayList<>();
            for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!FIELDS.contains(name)) {
                    problems.add("unknown field \"" + name + "\"");
                }
            }
            if (json.has("startTime") == json.has("startInSeconds")) {
                problems.add("give exactly one of \"startTime\" (unix seconds) and \"startInSeconds\"");
            }
            for (String required : List.of("modelId", "datasetRoot", "parameters", "rounds", "minContributors",
                    "maxContributors", "commitSeconds", "revealSeconds", "challengeSeconds", "clipL2Micros", "expMin",
                    "expMax", "maxWeight", "rule", "chains")) {
                if (!json.hasNonNull(required)) {
                    problems.add("\"" + required + "\" is required");
                }
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("task spec: " + String.join("; ", problems));
            }
            long start = json.has("startTime") ? integer(json, "startTime") : now + integer(json, "startInSeconds");
            return TaskSpec.newBuilder()
                    .setModelId(modelId(json.get("modelId")))
                    .setDatasetRoot(json.get("datasetRoot").asText())
                    .setParameters(integer(json, "parameters"))
                    .setRounds(int32(json, "rounds"))
                    .setMinContributors(int32(json, "minContributors"))
                    .setMaxContributors(int32(json, "maxContributors"))
                    .setStartTime(start)
                    .setCommitSeconds(int32(json, "commitSeconds"))
                    .setRevealSeconds(int32(json, "revealSeconds"))
                    .setChallengeSeconds(int32(json, "challengeSeconds"))
                    .setClipL2Micros(integer(json, "clipL2Micros"))
                    .setExpMin(int32(json, "expMin"))
                    .setExpMax(int32(json, "expMax"))
                    .setMaxWeight(integer(json, "maxWeight"))
                    .setRule(rule(json.get("rule").asText()))
                    .setRuleParam(json.has("ruleParam") ? int32(json, "ruleParam") : 0)
                    .setChains(chains(json.get("chains"), info))
                    .build();
        }

        /** TRN (decimal, up to 18 fraction digits) in base units. */
        static BigInteger trn(String amount) {
            try {
                BigDecimal v = new BigDecimal(amount.strip()).multiply(TRN_UNIT);
                if (v.signum() <= 0) {
                    throw new IllegalArgumentException("a bounty must be positive, was " + amount);
                }
                return v.toBigIntegerExact();
            } catch (NumberFormatException | ArithmeticException e) {
                throw new IllegalArgumentException("bounty " + amount + " is not a TRN amount with at most 18 decimals");
            }
        }

        private static String modelId(JsonNode v) {
            if (v.isIntegralNumber() && v.bigIntegerValue().signum() >= 0) {
                return String.format("0x%064x", v.bigIntegerValue());
            }
            if (v.isTextual() && v.asText().startsWith("0x")) {
                return v.asText();
            }
            throw new IllegalArgumentException("task spec: \"modelId\" must be a number or 0x-hex, was " + v);
        }

        private static AggregationRule rule(String name) {
            try {
                return AggregationRule.valueOf(name.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("task spec: \"rule\" must be one of "
                        + List.of(AggregationRule.values()) + ", was " + name);
            }
        }

        private static List<Long> chains(JsonNode node, DevnetInfo info) {
            if (!node.isArray()) {
                throw new IllegalArgumentException("task spec: \"chains\" must be an array of chain names or ids");
            }
            List<Long> ids = new ArrayList<>();
            for (JsonNode c : node) {
                ids.add(c.isIntegralNumber() ? c.asLong() : info.chain(c.asText()).chainId());
            }
            return ids;
        }

        private static long integer(JsonNode json, String field) {
            JsonNode v = json.get(field);
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                throw new IllegalArgumentException("task spec: \"" + field + "\" must be an integer, was " + v);
            }
            return v.asLong();
        }

        private static int int32(JsonNode json, String field) {
            long v = integer(json, field);
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("task spec: \"" + field + "\" is out of range: " + v);
            }
            return (int) v;
        }
    }
}
