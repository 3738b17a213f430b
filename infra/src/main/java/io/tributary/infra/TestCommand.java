package io.tributary.infra;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Listed so that {@code --help} shows it: the tests are run by the {@code ./tributary} launcher
 * itself (npm ci in contracts/ when needed, then {@code mvn -B -ntp verify}), because they need
 * the build that this JVM is part of.
 */
@Command(
        name = "test",
        description = {
            "Run every test of every module, Java and Solidity: npm ci, then mvn verify.",
            "The launcher script runs it: npm ci in contracts/ when needed, then mvn -B -ntp verify",
            "from the root (unit tests *Test, integration tests *IT, forge tests); Maven args follow."
        })
public final class TestCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println(
                "`test` runs the whole build, so the ./tributary launcher at the repository root handles it:"
                        + " run ./tributary test there.");
        return 2;
    }
}
