package dev.ringloom.runtime;

import dev.ringloom.poller.spi.FileIo;
import dev.ringloom.poller.spi.IoBackend;
import dev.ringloom.poller.spi.ServerSocketIo;
import dev.ringloom.poller.spi.SocketIo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.Pipe;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The JDK backend: blocking JDK channels ({@code FileChannel}, {@code Pipe}, {@code SocketChannel},
 * {@code ServerSocketChannel}) driven by helper virtual threads, one per op. Used where io_uring is unavailable.
 *
 * <p>Why helpers: a JDK channel closes itself when the thread blocked in it is interrupted. Helpers are never
 * interrupted; the caller parks on the helper's {@link JdkOp} and may leave (interrupt, timeout) while the
 * helper finishes into its own buffer — the same ownership rule as a kernel op, with the JVM as the kernel.
 * Thread-safe.
 */
final class JdkBackend implements IoBackend {
    private final ExecutorService helpers =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("ringloom-jdk-io-", 0).factory());
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger abandoned = new AtomicInteger();
    private volatile boolean closed;

    @Override
    public String name() {
        return "jdk";
    }

    /** Starts {@code work} on a helper; the caller then awaits the op. */
    <T> JdkOp<T> start(String what, Callable<T> work) throws IOException {
        if (closed) {
            throw new IOException(what + ": the ringloom runtime was closed");
        }
        JdkOp<T> op = new JdkOp<>(this, work);
        inFlight.incrementAndGet();
        try {
            helpers.execute(op);
        } catch (RejectedExecutionException e) {
            inFlight.decrementAndGet();
            throw new IOException(what + ": the ringloom runtime was closed");
        }
        return op;
    }

    @Override
    public FileIo openFile(Path path, Set<? extends OpenOption> options) throws IOException {
        return JdkFile.open(this, path, options);
    }

    @Override
    public FileIo[] pipe() throws IOException {
        Pipe p = Pipe.open();
        return new FileIo[]{JdkFile.stream(this, p.source(), "pipe:[read]"), JdkFile.stream(this, p.sink(), "pipe:[write]")};
    }

    @Override
    public SocketIo connect(InetSocketAddress address, long timeoutNanos) throws IOException {
        return JdkSocket.connect(this, address, timeoutNanos);
    }

    @Override
    public ServerSocketIo listen(InetSocketAddress local, int backlog) throws IOException {
        return JdkServerSocket.listen(this, local, backlog);
    }

    @Override
    public int inFlight() {
        return inFlight.get();
    }

    @Override
    public int abandonedInFlight() {
        return abandoned.get();
    }

    boolean isClosed() {
        return closed;
    }

    /** Refuses new ops and waits for the running ones (their channels are closed by their owners). */
    @Override
    public void close() {
        closed = true;
        helpers.close();
    }
}
