package dev.ringloom.runtime.jdk;

import dev.ringloom.poller.NativeBufferPool;
import dev.ringloom.poller.spi.BufferPool;
import dev.ringloom.poller.spi.FileIo;
import dev.ringloom.poller.spi.IoBackend;
import dev.ringloom.poller.spi.IoStats;
import dev.ringloom.poller.spi.ServerSocketIo;
import dev.ringloom.poller.spi.SocketIo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
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
 * The JDK backend: the JDK's channels, used where io_uring is unavailable. Sockets, listeners and pipes are
 * non-blocking channels their callers read, write, accept and connect on themselves, parking on one readiness
 * thread per backend ({@link Readiness}) while a channel is not ready; files ({@code FileChannel}) run blocking on
 * a helper virtual thread per op, but for a read-only file's reads ({@link CallerReads}).
 *
 * <p>Why neither blocks the caller in a JDK channel: a JDK channel closes itself when the thread blocked in it is
 * interrupted. A non-blocking call installs no such hook; a helper is never interrupted, and its caller parks on it
 * and may leave (interrupt, timeout) while the helper finishes into its own buffer — the same ownership rule as a
 * kernel op, with the JVM as the kernel. Thread-safe.
 */
final class JdkBackend implements IoBackend {
    private final ExecutorService helpers =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("ringloom-jdk-io-", 0).factory());
    final Readiness readiness = new Readiness();
    final FillChunks fillChunks = new FillChunks();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger abandoned = new AtomicInteger();
    private final Set<java.io.Closeable> open = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    @Override
    public String name() {
        return "jdk";
    }

    /** Tracks a channel so that closing the backend closes it (which wakes the helpers blocked in it). */
    <C extends java.io.Closeable> C track(C channel) throws IOException {
        open.add(channel);
        if (closed) {
            open.remove(channel);
            channel.close();
            throw closedError("open");
        }
        return channel;
    }

    void untrack(java.io.Closeable channel) {
        open.remove(channel);
    }

    static IOException closedError(String what) {
        return new IOException(what + ": the ringloom runtime was closed");
    }

    /** {@code e}, or, where this runtime's close closed the channel, {@link #closedError} with {@code e} as its cause. */
    IOException inItsWords(String what, ClosedChannelException e) {
        if (!closed) {
            return e;
        }
        IOException runtimeClosed = closedError(what);
        runtimeClosed.initCause(e);
        return runtimeClosed;
    }

    /** Starts {@code work} on a helper; the caller then awaits the op. */
    <T> JdkOp<T> start(String what, Callable<T> work) throws IOException {
        return start(what, work, () -> {
        });
    }

    /** Like {@link #start(String, Callable)}; {@code afterAbandoned} runs once an op its waiter left has ended. */
    <T> JdkOp<T> start(String what, Callable<T> work, Runnable afterAbandoned) throws IOException {
        if (closed) {
            throw closedError(what);
        }
        JdkOp<T> op = new JdkOp<>(this, what, work, afterAbandoned);
        inFlight.incrementAndGet();
        try {
            helpers.execute(op);
        } catch (RejectedExecutionException e) {
            inFlight.decrementAndGet();
            throw closedError(what);
        }
        return op;
    }

    @Override
    public FileIo openFile(Path path, Set<? extends OpenOption> options) throws IOException {
        if (closed) {
            throw closedError("open(" + path + ")");
        }
        return JdkFile.open(this, path, options);
    }

    @Override
    public FileIo[] pipe() throws IOException {
        if (closed) {
            throw closedError("pipe");
        }
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

    @Override
    public IoStats stats() {
        return IoStats.ofGauges(name(),
                "the JDK's own channels: streams non-blocking on the caller, files on helper virtual threads",
                inFlight.get(), abandoned.get());
    }

    boolean isClosed() {
        return closed;
    }

    /** Plain pooled memory: the JDK's channels have no cheaper kind. */
    @Override
    public BufferPool ownedBuffers() {
        return ownedBuffers;
    }

    private final NativeBufferPool ownedBuffers = new NativeBufferPool(64);

    @Override
    public void trimBuffers() {
        ownedBuffers.trim();
    }

    /**
     * Refuses new ops, closes every channel still open (its blocked callers fail with "runtime was closed"),
     * waits until every helper has finished, and ends the readiness thread.
     */
    @Override
    public void close() {
        closed = true;
        for (java.io.Closeable c : open) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing for shutdown: the channel is unusable either way
            }
        }
        helpers.close();
        readiness.close();
    }
}
