package io.tributary.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.tributary.flink.RoundAggregationJobMain;
import io.tributary.ingest.source.EvmLogSourceConnector;
import io.tributary.ingest.source.EvmLogSourceConnectorConfig;
import io.tributary.schemas.Topics;
import io.tributary.schemas.metrics.MetricsComponent;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Checks the deployment files (infra/compose, infra/k8s) against the build, as far as that can be
 * done without Docker or a cluster: they parse; the classes, connector keys, job options, topic
 * names and jar names they use are the code's; ports agree between the services; keys are only
 * referenced.
 */
class DeploymentFilesTest {

    private static final Path INFRA = Path.of("").toAbsolutePath();
    private static final Path ROOT = INFRA.getParent();
    private static final Path COMPOSE = INFRA.resolve("compose");
    private static final Path K8S = INFRA.resolve("k8s");
    private static final Path CONNECTOR_JSON = COMPOSE.resolve("config/connect/evm-logs.json");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = new YAMLMapper();

    /** Keys of a connector config that belong to Kafka Connect itself, not to the connector. */
    private static final Set<String> CONNECT_KEYS = Set.of("name", "connector.class", "tasks.max",
            "exactly.once.support", "key.converter", "value.converter");
    /** Options of Flink's own entry points, before or beside the job's. */
    private static final Set<String> FLINK_CLI_OPTIONS = Set.of("job-classname", "fromSavepoint", "job-id",
            "allowNonRestoredState");

    private static List<Path> deploymentFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path dir : List.of(COMPOSE, K8S, INFRA.resolve("prometheus"), INFRA.resolve("grafana"))) {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.filter(Files::isRegularFile)
                        .filter(p -> !COMPOSE.relativize(p.toAbsolutePath()).startsWith("secrets"))
                        .forEach(files::add);
            }
        }
        return files;
    }

    private static List<JsonNode> yamlDocuments(Path file) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class)
                .readValues(new YAMLFactory().createParser(file.toFile()))) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    private static JsonNode compose() throws IOException {
        return YAML.readTree(COMPOSE.resolve("docker-compose.yml").toFile());
    }

    private static List<JsonNode> k8s() throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (Stream<Path> files = Files.list(K8S)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                docs.addAll(yamlDocuments(f));
            }
        }
        return docs;
    }

    private static JsonNode k8sKind(String kind, String name) throws IOException {
        return k8s().stream()
                .filter(d -> kind.equals(d.path("kind").asText()) && name.equals(d.path("metadata").path("name").asText()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in infra/k8s"));
    }

    private static String projectVersion() {
        return Environment.version();
    }

    private static Map<String, String> dotEnv() throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(Files.readString(COMPOSE.resolve(".env"))));
        Map<String, String> env = new HashMap<>();
        p.stringPropertyNames().forEach(k -> env.put(k, p.getProperty(k)));
        return env;
    }

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void shouldParseEveryYamlAndJsonFile() throws IOException {
        int parsed = 0;
        for (Path file : deploymentFiles()) {
            String name = file.getFileName().toString();
            if (name.endsWith(".yml") || name.endsWith(".yaml")) {
                assertThat(yamlDocuments(file)).as(file.toString()).isNotEmpty();
                parsed++;
            } else if (name.endsWith(".json")) {
                assertThat(JSON.readTree(file.toFile()).isObject()).as(file.toString()).isTrue();
                parsed++;
            }
        }
        assertThat(parsed).isGreaterThanOrEqualTo(12);
    }

    @Test
    void shouldReferenceOnlyClassesThatExistOnTheClasspath() throws Exception {
        Pattern className = Pattern.compile(
                "\\b((?:io\\.tributary|org\\.apache\\.kafka\\.(?:connect|common))(?:\\.[a-z][a-z0-9]*)+\\.[A-Z][A-Za-z0-9]*)\\b");
        Set<String> found = new TreeSet<>();
        for (Path file : deploymentFiles()) {
            Matcher m = className.matcher(Files.readString(file));
            while (m.find()) {
                found.add(m.group(1));
            }
        }
        for (String name : found) {
            assertThat(Class.forName(name, false, getClass().getClassLoader())).as(name).isNotNull();
        }
        assertThat(found).contains(EvmLogSourceConnector.class.getName(), RoundAggregationJobMain.class.getName(),
                Tributary.class.getName());
    }

    @Test
    void shouldGiveTheConnectorOnlyKeysOfItsConfigAndAConfigItAccepts() throws IOException {
        JsonNode config = JSON.readTree(CONNECTOR_JSON.toFile());
        assertThat(config.path("connector.class").asText()).isEqualTo(EvmLogSourceConnector.class.getName());
        List<String> chains = List.of(config.path(EvmLogSourceConnectorConfig.CHAINS).asText().split(","));
        assertThat(config.path("tasks.max").asInt()).as("one task per chain").isEqualTo(chains.size());
        Set<String> connectorKeys = EvmLogSourceConnectorConfig.CONFIG_DEF.names();
        Set<String> chainKeys = EvmLogSourceConnectorConfig.CHAIN_DEF.names();
        Map<String, String> resolved = new LinkedHashMap<>();
        config.fields().forEachRemaining(e -> {
            String key = e.getKey();
            boolean known = CONNECT_KEYS.contains(key) || key.startsWith("producer.override.")
                    || connectorKeys.contains(key) || chains.stream().anyMatch(chain -> {
                        String prefix = EvmLogSourceConnectorConfig.CHAIN_PREFIX + chain + ".";
                        return key.startsWith(prefix) && chainKeys.contains(key.substring(prefix.length()));
                    });
            assertThat(known).as("connector key '%s' is a key of EvmLogSourceConnectorConfig (or of Connect)", key)
                    .isTrue();
            resolved.put(key, sampleValue(e.getValue().asText()));
        });
        // with its ${env:...} placeholders filled in, the connector's own validation accepts it
        EvmLogSourceConnectorConfig parsed = new EvmLogSourceConnectorConfig(resolved);
        assertThat(parsed.chainNames()).containsExactlyElementsOf(chains);
    }

    /** A plausible value for an {@code ${env:TRIBUTARY_<CHAIN>_<WHAT>}} placeholder; other values as they are. */
    private static String sampleValue(String value) {
        Matcher env = Pattern.compile("\\$\\{env:TRIBUTARY_[A-Z]+_([A-Z_]+)}").matcher(value);
        if (!env.matches()) {
            return value;
        }
        return switch (env.group(1)) {
            case "RPC_URL" -> "http://127.0.0.1:8545";
            case "CHAIN_ID" -> "31337";
            case "CONTRACTS" -> "Gateway=0x" + "11".repeat(20) + ",TaskCoordinator=0x" + "22".repeat(20);
            case "START_BLOCK" -> "0";
            default -> throw new AssertionError("unknown placeholder " + value);
        };
    }

    @Test
    void shouldRenderTheComposeConnectorConfigIntoTheKubernetesConfigMap() throws IOException {
        JsonNode kustomization = YAML.readTree(K8S.resolve("kustomization.yaml").toFile());
        List<String> files = strings(kustomization.path("configMapGenerator").get(0).path("files"));
        assertThat(files).containsExactly("evm-logs.json=../compose/config/connect/evm-logs.json");
        assertThat(K8S.resolve("../compose/config/connect/evm-logs.json").normalize()).isEqualTo(CONNECTOR_JSON);
        List<String> resources = strings(kustomization.path("resources"));
        try (Stream<Path> yamls = Files.list(K8S)) {
            assertThat(resources).containsExactlyInAnyOrderElementsOf(yamls.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml")).toList());
        }
    }

    @Test
    void shouldPassTheJobOnlyItsOwnOptionsInComposeAndOnKubernetes() throws IOException {
        Set<String> options = new HashSet<>();
        RoundAggregationJobMain.OPTIONS.stream().map(ConfigOption::key).forEach(options::add);

        List<String> compose = strings(compose().path("services").path("jobmanager").path("command"));
        assertThat(compose.subList(0, 3)).containsExactly("standalone-job", "--job-classname",
                RoundAggregationJobMain.class.getName());
        List<String> composeArgs = compose.subList(3, compose.size());

        JsonNode job = k8sKind("FlinkDeployment", "round-aggregation").path("spec").path("job");
        assertThat(job.path("entryClass").asText()).isEqualTo(RoundAggregationJobMain.class.getName());
        assertThat(job.path("upgradeMode").asText()).isEqualTo("savepoint");
        List<String> k8sArgs = strings(job.path("args"));

        for (List<String> args : List.of(composeArgs, k8sArgs)) {
            for (String arg : args) {
                if (arg.startsWith("--")) {
                    String key = arg.substring(2);
                    assertThat(options.contains(key) || FLINK_CLI_OPTIONS.contains(key))
                            .as("job option %s is a key of RoundAggregationJobMain.OPTIONS %s", arg, options).isTrue();
                }
            }
            // the job's own parser accepts them (compose's ${...} defaults stand for the values)
            List<String> resolved = args.stream().map(a -> a.replaceAll("\\$\\{[A-Z_]+:-([^}]*)}", "$1")).toList();
            assertThat(RoundAggregationJobMain.parse(resolved.toArray(String[]::new)).toMap())
                    .containsKeys(RoundAggregationJobMain.BOOTSTRAP_SERVERS.key(), RoundAggregationJobMain.MODELS.key());
        }
    }

    @Test
    void shouldCreateExactlyTheTopicsOfTheRegistry() throws IOException {
        String script = compose().path("services").path("topics").path("command").get(0).asText();
        Matcher m = Pattern.compile("for topic in ([^;]+);").matcher(script);
        assertThat(m.find()).as(script).isTrue();
        List<String> created = List.of(m.group(1).trim().split("\\s+"));
        assertThat(created).containsExactlyInAnyOrderElementsOf(
                Topics.all().stream().map(Topics.Topic::name).toList());
    }

    @Test
    void shouldNameTheJarsAsTheMavenBuildDoes() throws IOException {
        String version = projectVersion();
        assertThat(dotEnv()).containsEntry("TRIBUTARY_VERSION", version)
                .containsEntry("TRIBUTARY_IMAGE", "tributary-cli:" + version);
        String pom = Files.readString(ROOT.resolve("flink-jobs/pom.xml"));
        Matcher classifier = Pattern.compile("<shadedClassifierName>([^<]+)</shadedClassifierName>").matcher(pom);
        assertThat(classifier.find()).isTrue();

        Pattern jar = Pattern.compile("([a-z][a-z-]*?)-(\\$\\{TRIBUTARY_VERSION}|\\d[\\w.]*-SNAPSHOT|\\d+\\.\\d+\\.\\d+)(-[a-z]+)?\\.jar");
        Pattern arg = Pattern.compile("ARG TRIBUTARY_VERSION=(\\S+)");
        Pattern image = Pattern.compile("tributary-(?:cli|flink-job|connect):(\\S+?)[\"\\s]");
        int jars = 0;
        for (Path file : deploymentFiles()) {
            String text = Files.readString(file);
            Matcher m = jar.matcher(text);
            while (m.find()) {
                String module = m.group(1);
                assertThat(ROOT.resolve(module).resolve("pom.xml")).as("module of %s in %s", m.group(), file).exists();
                assertThat(Files.readString(ROOT.resolve(module).resolve("pom.xml")))
                        .contains("<artifactId>" + module + "</artifactId>");
                if (!m.group(2).startsWith("${")) {
                    assertThat(m.group(2)).as("%s in %s", m.group(), file).isEqualTo(version);
                }
                if (m.group(3) != null) {
                    assertThat(module + m.group(3)).as("%s in %s", m.group(), file)
                            .isEqualTo("flink-jobs-" + classifier.group(1));
                }
                jars++;
            }
            Matcher a = arg.matcher(text);
            while (a.find()) {
                assertThat(a.group(1)).as("ARG in %s", file).isEqualTo(version);
            }
            Matcher i = image.matcher(text);
            while (i.find()) {
                assertThat(i.group(1)).as("image tag in %s", file).isEqualTo(version);
            }
        }
        assertThat(jars).isGreaterThanOrEqualTo(8);
        assertThat(Files.readString(COMPOSE.resolve("Dockerfile")))
                .contains("COPY infra/target/infra-${TRIBUTARY_VERSION}.jar")
                .contains("io.tributary.infra.Tributary");
    }

    @Test
    void shouldUseTheLaunchersJvmFlagsInTheCliImage() throws IOException {
        Properties build = new Properties();
        try (var in = Tributary.class.getResourceAsStream("build.properties")) {
            build.load(in);
        }
        assertThat(Files.readString(COMPOSE.resolve("Dockerfile")))
                .contains("TRIBUTARY_JVM_FLAGS=\"" + build.getProperty("jvm.flags") + "\"");
    }

    @Test
    void shouldAddressEveryComposeServiceOnAPortItListensOn() throws IOException {
        JsonNode services = compose().path("services");
        Map<String, Set<String>> ports = new HashMap<>();
        services.fields().forEachRemaining(s -> {
            Set<String> p = new HashSet<>(strings(s.getValue().path("expose")));
            for (String mapping : strings(s.getValue().path("ports"))) {
                p.add(mapping.substring(mapping.lastIndexOf(':') + 1));
            }
            ports.put(s.getKey(), p);
        });
        Pattern hostPort = Pattern.compile("\\b([a-z][a-z0-9-]*):(\\d{2,5})\\b");
        List<Path> files = new ArrayList<>(List.of(COMPOSE.resolve("docker-compose.yml")));
        files.add(INFRA.resolve("prometheus/compose.yml"));
        files.add(INFRA.resolve("grafana/provisioning/datasources/prometheus.yml"));
        try (Stream<Path> config = Files.walk(COMPOSE.resolve("config"))) {
            config.filter(Files::isRegularFile).forEach(files::add);
        }
        int references = 0;
        for (Path file : files) {
            // image references (postgres:14) are not addresses
            Matcher m = hostPort.matcher(Files.readString(file).replaceAll("(?m)^\\s*image:.*$", ""));
            while (m.find()) {
                if (ports.containsKey(m.group(1))) {
                    assertThat(ports.get(m.group(1))).as("%s in %s", m.group(), file).contains(m.group(2));
                    references++;
                }
            }
        }
        assertThat(references).isGreaterThanOrEqualTo(10);

        JsonNode flink = YAML.readTree(COMPOSE.resolve("config/flink/config.yaml").toFile());
        assertThat(ports.get("jobmanager")).contains(flink.path("rest").path("port").asText(),
                flink.path("jobmanager").path("rpc").path("port").asText(),
                flink.path("metrics").path("reporter").path("prom").path("port").asText());
        assertThat(ports.get("taskmanager")).contains(flink.path("metrics").path("reporter").path("prom").path("port").asText());
        Properties connect = new Properties();
        connect.load(new StringReader(Files.readString(COMPOSE.resolve("config/connect/connect-distributed.properties"))));
        assertThat(ports.get("connect")).contains(connect.getProperty("listeners").replaceAll(".*:", ""));
        assertThat(ports.get("grafana")).contains(services.path("grafana").path("environment").path("GF_SERVER_HTTP_PORT").asText());
    }

    @Test
    void shouldAgreeOnTheConnectPortOnKubernetes() throws IOException {
        JsonNode service = k8sKind("Service", "connect").path("spec").path("ports").get(0);
        JsonNode container = k8sKind("Deployment", "connect").path("spec").path("template").path("spec")
                .path("containers").get(0);
        assertThat(container.path("ports").get(0).path("containerPort").asInt()).isEqualTo(service.path("targetPort").asInt());
        String worker = k8sKind("ConfigMap", "connect-worker").path("data").path("connect-distributed.properties").asText();
        assertThat(worker).contains("listeners=http://0.0.0.0:" + service.path("targetPort").asInt());
        String put = k8sKind("Job", "evm-logs-connector").path("spec").path("template").path("spec").path("containers")
                .get(0).path("command").toString();
        assertThat(put).contains("http://connect:" + service.path("port").asInt() + "/connectors/evm-logs/config");
    }

    @Test
    void shouldReferenceKeysFromSecretsAndNeverEmbedThem() throws IOException {
        assertThat(k8s()).noneMatch(d -> "Secret".equals(d.path("kind").asText()));
        Pattern privateKey = Pattern.compile("(?i)\\b(?:0x)?[0-9a-f]{64}\\b");
        for (Path file : deploymentFiles()) {
            assertThat(privateKey.matcher(Files.readString(file)).find()).as("a 32-byte hex value in %s", file).isFalse();
        }
        for (String name : List.of("guardian-1", "guardian-2", "guardian-3", "submitter", "keeper", "intake")) {
            JsonNode volumes = k8sKind("Deployment", name).path("spec").path("template").path("spec").path("volumes");
            List<String> secrets = new ArrayList<>();
            volumes.forEach(v -> {
                if (v.has("secret")) {
                    secrets.add(v.path("secret").path("secretName").asText());
                }
            });
            assertThat(secrets).as(name).containsExactly(
                    name.equals("keeper") || name.equals("intake") ? "tributary-network" : "tributary-relayer");
        }
        JsonNode composeSecrets = compose().path("secrets");
        composeSecrets.forEach(s -> assertThat(s.path("file").asText()).startsWith("./secrets/"));
        assertThat(Files.readString(COMPOSE.resolve(".gitignore"))).contains("secrets/");
    }

    // ------------------------------------------------------------------------------ CLI parts and metrics

    /** The metrics component of each long-running CLI subcommand. */
    private static final Map<String, MetricsComponent> CLI_PARTS = Map.of("relayer", MetricsComponent.RELAYER,
            "intake", MetricsComponent.INTAKE, "keeper", MetricsComponent.KEEPER, "worker", MetricsComponent.WORKER);

    private static final CommandLine CLI = new CommandLine(new Tributary());

    /** One process of the CLI image in compose or on Kubernetes: where it is written, its arguments. */
    private record CliProcess(String where, List<String> args, JsonNode compose, JsonNode container, JsonNode pod) {
        String subcommand() {
            return args.get(0);
        }

        /** The value after {@code option}, if the arguments have it. */
        String option(String option) {
            int i = args.indexOf(option);
            return i < 0 || i + 1 >= args.size() ? null : args.get(i + 1);
        }
    }

    /** Every compose service and Kubernetes container that runs a subcommand of the CLI as an argument list. */
    private static List<CliProcess> cliProcesses() throws IOException {
        List<CliProcess> out = new ArrayList<>();
        compose().path("services").fields().forEachRemaining(s -> {
            List<String> args = strings(s.getValue().path("command"));
            if (!args.isEmpty() && CLI.getSubcommands().containsKey(args.get(0))) {
                out.add(new CliProcess("compose service " + s.getKey(), args, s.getValue(), null, null));
            }
        });
        for (JsonNode d : k8s()) {
            if (!"Deployment".equals(d.path("kind").asText())) {
                continue;
            }
            JsonNode pod = d.path("spec").path("template");
            for (JsonNode c : pod.path("spec").path("containers")) {
                List<String> args = strings(c.path("args"));
                if (c.path("image").asText().startsWith("tributary-cli:") && !args.isEmpty()) {
                    out.add(new CliProcess("Deployment " + d.path("metadata").path("name").asText(), args, null, c, pod));
                }
            }
        }
        return out;
    }

    @Test
    void shouldRunEveryCliPartWithASubcommandAndOptionsOfTheCli() throws IOException {
        List<CliProcess> processes = cliProcesses();
        for (CliProcess p : processes) {
            assertThat(CLI.getSubcommands()).as(p.where()).containsKey(p.subcommand());
            CommandLine.Model.CommandSpec sub = CLI.getSubcommands().get(p.subcommand()).getCommandSpec();
            for (String arg : p.args()) {
                if (arg.startsWith("--")) {
                    assertThat(sub.findOption(arg)).as("%s: %s is an option of tributary %s", p.where(), arg,
                            p.subcommand()).isNotNull();
                }
            }
        }
        assertThat(processes).extracting(CliProcess::where).contains("compose service intake", "Deployment intake",
                "compose service keeper", "Deployment keeper", "compose service submitter", "Deployment submitter");
        assertThat((Object) CLI.getSubcommands().get("intake").getCommand()).isInstanceOf(IntakeCommand.class);
    }

    @Test
    void shouldServeEveryPartsMetricsOnItsComponentsDefaultPortReachableFromOtherContainers() throws IOException {
        int checked = 0;
        for (CliProcess p : cliProcesses()) {
            MetricsComponent component = CLI_PARTS.get(p.subcommand());
            if (component == null
                    || CLI.getSubcommands().get(p.subcommand()).getCommandSpec().findOption("--metrics-port") == null) {
                continue;
            }
            String port = Integer.toString(component.defaultPort());
            assertThat(p.option("--metrics-port")).as("%s: --metrics-port", p.where()).isEqualTo(port);
            assertThat(p.option("--metrics-host")).as("%s: --metrics-host", p.where()).isEqualTo("0.0.0.0");
            if (p.compose() != null) {
                assertThat(strings(p.compose().path("expose"))).as("%s: expose", p.where()).contains(port);
            } else {
                assertMetricsPortOnKubernetes(p.where(), p.container(), p.pod(), component);
            }
            checked++;
        }
        assertThat(checked).as("4 relayer processes, intake and keeper in compose and on Kubernetes").isGreaterThanOrEqualTo(12);

        // the connector: every Connect worker serves its tasks' series
        JsonNode connector = JSON.readTree(CONNECTOR_JSON.toFile());
        String connectorPort = Integer.toString(MetricsComponent.CONNECTOR.defaultPort());
        assertThat(connector.path(EvmLogSourceConnectorConfig.METRICS_PORT).asText()).isEqualTo(connectorPort);
        assertThat(connector.path(EvmLogSourceConnectorConfig.METRICS_HOST).asText()).isEqualTo("0.0.0.0");
        assertThat(strings(compose().path("services").path("connect").path("expose"))).contains(connectorPort);
        JsonNode connect = k8sKind("Deployment", "connect").path("spec").path("template");
        assertMetricsPortOnKubernetes("Deployment connect", connect.path("spec").path("containers").get(0), connect,
                MetricsComponent.CONNECTOR);
    }

    private static void assertMetricsPortOnKubernetes(String where, JsonNode container, JsonNode pod,
            MetricsComponent component) {
        List<Integer> ports = new ArrayList<>();
        container.path("ports").forEach(port -> {
            if ("metrics".equals(port.path("name").asText())) {
                ports.add(port.path("containerPort").asInt());
            }
        });
        assertThat(ports).as("%s: container port 'metrics'", where).containsExactly(component.defaultPort());
        JsonNode annotations = pod.path("metadata").path("annotations");
        assertThat(annotations.path("prometheus.io/scrape").asText()).as(where).isEqualTo("true");
        assertThat(annotations.path("prometheus.io/port").asText()).as(where)
                .isEqualTo(Integer.toString(component.defaultPort()));
    }

    @Test
    void shouldScrapeComposeServicesWithTheSharedPrometheusAndGrafanaFiles() throws IOException {
        // jobs and ports: DashboardsTest; here: every target is a compose service exposing that port
        JsonNode prometheus = YAML.readTree(INFRA.resolve("prometheus/compose.yml").toFile());
        JsonNode services = compose().path("services");
        for (JsonNode job : prometheus.path("scrape_configs")) {
            for (JsonNode config : job.path("static_configs")) {
                for (String target : strings(config.path("targets"))) {
                    String service = target.substring(0, target.indexOf(':'));
                    String port = target.substring(target.indexOf(':') + 1);
                    assertThat(services.has(service)).as("scrape target %s of job %s is a compose service", target,
                            job.path("job_name").asText()).isTrue();
                    assertThat(strings(services.path(service).path("expose"))).as("%s exposes %s", service, port)
                            .contains(port);
                }
            }
        }
        List<String> mounts = new ArrayList<>();
        for (String service : List.of("prometheus", "grafana")) {
            for (String volume : strings(services.path(service).path("volumes"))) {
                String source = volume.substring(0, volume.indexOf(':'));
                assertThat(COMPOSE.resolve(source)).as("%s mounts %s", service, source).exists();
                mounts.add(source);
            }
        }
        assertThat(mounts).contains("../prometheus/compose.yml", "../prometheus/alerts.yml", "../grafana/provisioning",
                "../grafana/dashboards");
    }
}
