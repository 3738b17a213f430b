package io.tributary.infra.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.infra.devnet.PrometheusTargets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Prometheus' own checker ({@code promtool}, next to the server binary in Debian's package) on the
 * configs and rules the project ships: the compose config with its alert rules, and the devnet
 * config as a devnet writes it.
 */
class PrometheusConfigIT {

    private static String promtool(String... args) throws IOException, InterruptedException {
        Path promtool = PrometheusProcess.binary().resolveSibling("promtool");
        String[] command = new String[args.length + 1];
        command[0] = promtool.toString();
        System.arraycopy(args, 0, command, 1, args.length);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + out).isZero();
        return out;
    }

    @Test
    void shouldPassPromtoolWithTheComposeConfigAndTheAlertRules() throws Exception {
        assertThat(promtool("check", "config", "prometheus/compose.yml")).contains("SUCCESS");
        assertThat(promtool("check", "rules", "prometheus/alerts.yml")).contains("SUCCESS: 9 rules found");
    }

    @Test
    void shouldPassPromtoolWithTheConfigADevnetWrites() throws Exception {
        Path config = PrometheusTargets.writeConfig(Path.of("target", "prometheus-config-it").toAbsolutePath());
        assertThat(promtool("check", "config", config.toString())).contains("SUCCESS");
    }
}
