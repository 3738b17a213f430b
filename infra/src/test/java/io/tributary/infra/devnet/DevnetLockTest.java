package io.tributary.infra.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevnetLockTest {

    @TempDir
    Path dir;

    @Test
    void shouldReportAbsentWhenNoDevnetEverRanInTheDir() throws Exception {
        assertThat(DevnetLock.inspect(dir).state()).isEqualTo(DevnetLock.State.ABSENT);
    }

    @Test
    void shouldReportRunningAndRefuseASecondLockWhileOneIsHeld() throws Exception {
        try (DevnetLock held = DevnetLock.acquire(dir)) {
            assertThatThrownBy(() -> DevnetLock.acquire(dir))
                    .isInstanceOf(DevnetLock.DevnetRunningException.class)
                    .hasMessageContaining("already running")
                    .hasMessageContaining("supervisor pid " + ProcessHandle.current().pid());
            DevnetLock.Status status = DevnetLock.inspect(dir);
            assertThat(status.state()).isEqualTo(DevnetLock.State.RUNNING);
            assertThat(status.supervisorPid()).hasValue(ProcessHandle.current().pid());
        }
        assertThat(Files.exists(dir.resolve(DevnetLock.FILE_NAME))).isFalse();
    }

    @Test
    void shouldReportStaleWhenDevnetJsonIsLeftWithoutALiveSupervisor() throws Exception {
        DevnetInfoTest.sample().write(DevnetInfo.file(dir));
        Files.writeString(dir.resolve(DevnetLock.FILE_NAME), "999999999\n");

        assertThat(DevnetLock.inspect(dir).state()).isEqualTo(DevnetLock.State.STALE);
        try (DevnetLock lock = DevnetLock.acquire(dir)) {
            assertThat(lock).isNotNull();
        }
    }

    @Test
    void shouldStopLeftoverProcessesAndRemoveTheFileWhenCleaningAStaleDevnet() throws Exception {
        Process leftover = new ProcessBuilder("sleep", "120").start();
        Process deadSupervisor = new ProcessBuilder("true").start();
        deadSupervisor.waitFor();
        DevnetInfo sample = DevnetInfoTest.sample();
        DevnetInfo stale = new DevnetInfo(sample.version(), dir.toString(), deadSupervisor.pid(), sample.chains(),
                sample.kafka(), sample.postgres(), List.of(deadSupervisor.pid(), leftover.pid()));
        stale.write(DevnetInfo.file(dir));
        try {
            DevnetControl.Stopped cleaned = DevnetControl.cleanStale(dir);

            assertThat(cleaned.pids()).containsExactly(leftover.pid());
            assertThat(leftover.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(Files.exists(DevnetInfo.file(dir))).isFalse();
            assertThat(DevnetLock.inspect(dir).state()).isEqualTo(DevnetLock.State.ABSENT);
        } finally {
            leftover.destroyForcibly();
        }
    }

    @Test
    void shouldDoNothingWhenDownFindsNoDevnet() throws Exception {
        assertThat(DevnetControl.down(dir, Duration.ofSeconds(1))).isEmpty();
    }
}
