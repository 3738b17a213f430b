package io.tributary.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.tributary.infra.devnet.DevnetInfo;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlinkCommandTest {

    private static DevnetInfo devnet(String bootstrap) {
        return new DevnetInfo(DevnetInfo.VERSION, "/devnet", 1, List.of(),
                new DevnetInfo.Kafka(bootstrap, List.of("chain.events"), 1, 1),
                new DevnetInfo.Postgres("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "postgres", 2),
                List.of(1L, 2L));
    }

    @Test
    void shouldPassTheDevnetsKafkaAndLetDOptionsOverrideIt() {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("models", "1=784:4");
        assertThat(FlinkCommand.programArgs(devnet("127.0.0.1:9092"), options))
                .containsExactly("--kafka.bootstrap-servers", "127.0.0.1:9092", "--models", "1=784:4");

        options.put("kafka.bootstrap-servers", "10.0.0.1:9092");
        assertThat(FlinkCommand.programArgs(devnet("127.0.0.1:9092"), options))
                .containsExactly("--kafka.bootstrap-servers", "10.0.0.1:9092", "--models", "1=784:4");
        assertThat(FlinkCommand.programArgs(null, Map.of())).isEmpty();
    }

    @Test
    void shouldRefuseAKeyThatIsNotAJobOptionName() {
        assertThatThrownBy(() -> FlinkCommand.programArgs(null, Map.of("--models", "1=784:4")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-D expects key=value");
    }

    @Test
    void shouldSayHowToBuildTheJobJarWhenItIsMissing() {
        StringWriter err = new StringWriter();
        var cli = Tributary.commandLine();
        cli.setErr(new PrintWriter(err, true));
        cli.setOut(new PrintWriter(new StringWriter(), true));

        int code = cli.execute("flink", "submit", "--rest", "http://127.0.0.1:1", "--jar", "target/no-such-job.jar");

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("no-such-job.jar not found")
                .contains("mvn -B -ntp -pl flink-jobs -am package -DskipTests");
    }

    @Test
    void shouldKeepTheFirstLineAndTheCausesOfARestError() {
        String trace = "org.apache.flink.runtime.rest.handler.RestHandlerException: Could not execute application.\n"
                + "\tat org.apache.flink.runtime.webmonitor.handlers.JarRunHandler.lambda$handleRequest$1(JarRunHandler.java:123)\n"
                + "Caused by: org.apache.flink.client.program.ProgramInvocationException: The main method caused an error: boom\n"
                + "\tat org.apache.flink.client.program.PackagedProgram.callMainMethod(PackagedProgram.java:373)\n"
                + "Caused by: java.lang.IllegalArgumentException: boom\n";

        assertThat(FlinkCommand.FlinkRest.describe(JsonNodeFactory.instance.textNode(trace))).isEqualTo(
                "org.apache.flink.runtime.rest.handler.RestHandlerException: Could not execute application.\n"
                        + "  Caused by: org.apache.flink.client.program.ProgramInvocationException: The main method caused an"
                        + " error: boom\n  Caused by: java.lang.IllegalArgumentException: boom");
    }
}
