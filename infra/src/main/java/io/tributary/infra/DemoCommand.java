package io.tributary.infra;

import io.tributary.infra.devnet.ChainSpec;
import io.tributary.infra.devnet.Devnet;
import io.tributary.infra.devnet.DevnetCommand;
import io.tributary.infra.devnet.DevnetConfig;
import io.tributary.infra.devnet.DevnetInfo;
import io.tributary.infra.devnet.DevnetProbe;
import io.tributary.infra.devnet.JsonRpc;
import io.tributary.schemas.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The end-to-end demo. So far it covers its first step: the devnet starts, every part answers, and
 * it stops again. Deploying the contracts, the chain connector, the Flink job and the trainers
 * are added to it as they are built.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {"Run the demo. For now: start the devnet, show that every part answers, stop it again."})
public final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where the demo's devnet keeps its files (default: target/demo).")
    Path dir;

    @Option(names = "--watch", paramLabel = "SECONDS", defaultValue = "3",
            description = "How long to watch the chains produce blocks (default: ${DEFAULT-VALUE}).")
    int watchSeconds;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Environment env = Environment.current();
        Path devnetDir = (dir != null ? dir : env.home().resolve("target").resolve("demo")).toAbsolutePath().normalize();
        DevnetConfig config = new DevnetConfig(devnetDir, env.anvil(), env.cacheDir(), ChainSpec.defaults(),
                Topics.all().stream().map(Topics.Topic::name).toList(), 3);

        out.println("Tributary demo. This is its start: the local devnet that the rest of the demo will run on.");
        out.println("[1/3] Starting the devnet in " + devnetDir + " ...");
        out.flush();
        long t0 = System.nanoTime();
        Devnet devnet;
        try {
            devnet = Devnet.start(config, line -> {
                out.println("      " + line);
                out.flush();
            });
        } catch (IOException e) {
            err.println("The devnet did not start: " + e.getMessage());
            return 1;
        }
        Thread hook = new Thread(devnet::close, "demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        boolean ok;
        try {
            out.printf("      ready in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            out.println("[2/3] Asking every part whether it answers ...");
            out.flush();
            DevnetInfo info = devnet.info();
            ok = DevnetCommand.printChecks(out, DevnetProbe.probe(info));
            ok &= watchBlocks(out, info);
        } finally {
            out.println("[3/3] Stopping the devnet ...");
            out.flush();
            devnet.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
        out.println(ok ? "Every part answered; the devnet is stopped again."
                : "Some part did not answer (see above); the devnet is stopped again.");
        out.println("Still to come in this demo: deploying the contracts, the chain connector, the Flink aggregation"
                + " job and the trainers.");
        out.flush();
        return ok ? 0 : 1;
    }

    /** Shows each chain's height now and after a few seconds: blocks are being produced. */
    private boolean watchBlocks(PrintWriter out, DevnetInfo info) throws IOException, InterruptedException {
        Map<String, Long> before = new LinkedHashMap<>();
        for (DevnetInfo.Chain chain : info.chains()) {
            before.put(chain.name(), new JsonRpc(chain.rpcUrl()).blockNumber());
        }
        Thread.sleep(watchSeconds * 1000L);
        boolean ok = true;
        for (DevnetInfo.Chain chain : info.chains()) {
            long after = new JsonRpc(chain.rpcUrl()).blockNumber();
            long produced = after - before.get(chain.name());
            out.printf("  %-4s %-16s %d new block%s in %d s (block %d -> %d, one every %d ms)%n",
                    produced > 0 ? "ok" : "FAIL", chain.name(), produced, produced == 1 ? "" : "s", watchSeconds, before.get(chain.name()), after, chain.blockTimeMillis());
            ok &= produced > 0;
        }
        out.flush();
        return ok;
    }
}
