package io.tributary.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.infra.devnet.DevnetInfo;
import io.tributary.infra.devnet.DevnetLock;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DemoIT {

    @Test
    void shouldShowEveryPartAnsweringAndStopTheDevnetAgain() throws Exception {
        Path dir = Path.of("target", "demo-it").toAbsolutePath();
        StringWriter out = new StringWriter();
        CommandLine cli = Tributary.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));

        int code = cli.execute("demo", "--dir", dir.toString(), "--watch", "2");

        assertThat(code).as(out.toString()).isZero();
        assertThat(out.toString())
                .contains("ok   home", "chain id 31337", "ok   arbitrum-local", "ok   avalanche-local")
                .contains("ok   kafka", "deadletter", "ok   postgres", "wal_level=logical")
                .contains("devnet is stopped again")
                .doesNotContain("FAIL");
        assertThat(Files.exists(DevnetInfo.file(dir))).isFalse();
        assertThat(DevnetLock.inspect(dir).state()).isEqualTo(DevnetLock.State.ABSENT);
    }
}
