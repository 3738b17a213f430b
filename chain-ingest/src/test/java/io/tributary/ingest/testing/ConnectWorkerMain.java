package io.tributary.ingest.testing;

import io.tributary.ingest.connect.EmbeddedConnectCluster;

/**
 * A Connect worker in a JVM of its own, so that a test can kill it with SIGKILL mid-transaction.
 * Arguments: bootstrap servers, group id, REST port. Runs until killed.
 */
public final class ConnectWorkerMain {

    private ConnectWorkerMain() {}

    public static void main(String[] args) throws Exception {
        EmbeddedConnectCluster worker = ConnectorHarness.workerBuilder(args[0], args[1])
                .restPort(Integer.parseInt(args[2])).build().start();
        Runtime.getRuntime().addShutdownHook(new Thread(worker::stop));
        Thread.currentThread().join();
    }
}
