package io.tributary.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.infra.devnet.DevnetInfo;
import io.tributary.infra.devnet.DevnetInfoTest;
import io.tributary.schemas.avro.AggregationRule;
import io.tributary.schemas.avro.TaskSpec;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class TaskCommandTest {

    private static final DevnetInfo DEVNET = DevnetInfoTest.sample();

    private static ObjectNode example() throws Exception {
        try (InputStream in = TaskCommand.class.getResourceAsStream("/examples/task-spec.json")) {
            return (ObjectNode) new ObjectMapper().readTree(in);
        }
    }

    @Test
    void shouldReadTheExampleSpecWithChainNamesAndARelativeStart() throws Exception {
        ObjectNode json = example();
        json.putArray("chains").add(DEVNET.chains().get(0).name()).add(DEVNET.chains().get(1).chainId());

        TaskSpec spec = TaskCommand.SpecFile.toSpec(json, DEVNET, 1_000);

        assertThat(spec.getModelId()).isEqualTo("0x" + "0".repeat(63) + "1");
        assertThat(spec.getStartTime()).isEqualTo(1_120);
        assertThat(spec.getRule()).isEqualTo(AggregationRule.FEDAVG);
        assertThat(spec.getChains()).containsExactly(DEVNET.chains().get(0).chainId(), DEVNET.chains().get(1).chainId());
        assertThat(spec.getClipL2Micros()).isEqualTo(5_000_000);
    }

    @Test
    void shouldNameUnknownAndMissingFields() throws Exception {
        ObjectNode json = example();
        json.remove("rounds");
        json.put("startTime", 5);
        json.put("round", 3);
        assertThatThrownBy(() -> TaskCommand.SpecFile.toSpec(json, DEVNET, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown field \"round\"")
                .hasMessageContaining("\"rounds\" is required")
                .hasMessageContaining("exactly one of \"startTime\"");
    }

    @Test
    void shouldRefuseAnUnknownRuleOrChain() throws Exception {
        ObjectNode json = example();
        json.put("rule", "mean");
        assertThatThrownBy(() -> TaskCommand.SpecFile.toSpec(json, DEVNET, 0)).hasMessageContaining("\"rule\" must be one of");
        ObjectNode other = example();
        other.putArray("chains").add("nowhere");
        assertThatThrownBy(() -> TaskCommand.SpecFile.toSpec(other, DEVNET, 0)).hasMessageContaining("nowhere");
    }

    @Test
    void shouldConvertTrnToBaseUnitsExactly() {
        assertThat(TaskCommand.SpecFile.trn("1000")).isEqualTo(BigInteger.TEN.pow(21));
        assertThat(TaskCommand.SpecFile.trn("0.5")).isEqualTo(BigInteger.valueOf(5).multiply(BigInteger.TEN.pow(17)));
        assertThatThrownBy(() -> TaskCommand.SpecFile.trn("0.0000000000000000001")).hasMessageContaining("18 decimals");
        assertThatThrownBy(() -> TaskCommand.SpecFile.trn("-1")).hasMessageContaining("positive");
    }

    @Test
    void shouldTellWhenTheDevnetIsNotUp() {
        StringWriter err = new StringWriter();
        CommandLine cli = Tributary.commandLine();
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setErr(new PrintWriter(err, true));

        int code = cli.execute("task", "post", "--spec", "nowhere.json", "--key", "0x" + "11".repeat(32),
                "--devnet", "target/no-devnet-here");

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("is the devnet up?");
    }
}
