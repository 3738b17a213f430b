package io.tributary.ingest.relayer;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A guardian or the submitter: one thread that runs {@link #work()} until {@link #close()}. An
 * exception out of {@code work()} ends the thread as a crash ends a process (resources are released
 * in {@code work()}'s own finally blocks, nothing else is written) and is kept in {@link #failure()}.
 */
public abstract class Worker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

    private final String name;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile Throwable failure;
    private Thread thread;

    Worker(String name) {
        this.name = name;
    }

    /** Runs until {@link #stopping()}; releases what it opened before returning or throwing. */
    protected abstract void work() throws Exception;

    /** Interrupts a blocking poll so that {@link #work()} sees {@link #stopping()} soon. */
    protected abstract void wakeup();

    public final String name() {
        return name;
    }

    protected final boolean stopping() {
        return stopping;
    }

    /** Starts the thread; returns at once. */
    public final synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException(name + " was started already");
        }
        thread = new Thread(this::runThread, name);
        thread.setDaemon(true);
        thread.start();
    }

    private void runThread() {
        try {
            LOG.info("{} started", name);
            work();
            LOG.info("{} stopped", name);
        } catch (WakeupException | InterruptException e) {
            if (!stopping) {
                failure = e;
                LOG.error("{} interrupted", name, e);
            }
        } catch (Throwable e) {
            failure = e;
            LOG.error("{} crashed: {}", name, e.toString(), e);
        } finally {
            finished.countDown();
        }
    }

    /** Whether the thread has ended (stopped or crashed). */
    public final boolean finished() {
        return finished.getCount() == 0;
    }

    /** Waits up to {@code timeout} for the thread to end; true if it did. */
    public final boolean awaitFinished(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** What ended the thread, if it crashed. */
    public final Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /** Stops the thread and waits for it to release its resources. */
    @Override
    public void close() throws InterruptedException {
        stopping = true;
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t == null) {
            return;
        }
        wakeup();
        if (!finished.await(30, TimeUnit.SECONDS)) {
            LOG.warn("{} did not stop within 30 s; interrupting it", name);
            t.interrupt();
            finished.await(10, TimeUnit.SECONDS);
        }
    }
}
