package dev.ringloom.runtime;

import dev.ringloom.poller.NativeBufferPool;
import dev.ringloom.poller.Poller;
import dev.ringloom.poller.PollerConfig;
import dev.ringloom.poller.Pollers;
import dev.ringloom.poller.sys.Errno;
import dev.ringloom.poller.sys.Libc;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.file.OpenOption;
import java.time.Duration;
import java.nio.file.Path;
import java.util.Set;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A ringloom runtime: its pollers (each a platform thread with one io_uring) and its native buffer pool.
 * Files and streams opened through it park the calling thread — virtual or platform — on their kernel ops.
 *
 * <p>Thread-safe. Most programs use {@link #shared()}, started on first use and never closed (its pollers
 * are daemon threads). A runtime opened with {@link #open} belongs to its opener: {@link #close()} cancels
 * whatever is still in flight, waits for the kernel to finish with every buffer, and stops the pollers;
 * channels opened through it fail afterwards.
 */
public final class Ringloom implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.ringloom");

    private final Pollers pollers;
    private final NativeBufferPool buffers;
    private final boolean nowaitReads;

    private Ringloom(Pollers pollers) {
        this.pollers = pollers;
        this.buffers = new NativeBufferPool(256);
        this.nowaitReads = Boolean.parseBoolean(System.getProperty("ringloom.nowaitReads", "true"));
    }

    /** Starts a runtime with {@link PollerConfig#defaults()}. */
    public static Ringloom open() throws IOException {
        return open(PollerConfig.defaults());
    }

    /**
     * Starts a runtime.
     *
     * @throws dev.ringloom.poller.IoUringUnavailableException when the kernel refuses io_uring, saying why
     */
    public static Ringloom open(PollerConfig config) throws IOException {
        Ringloom r = new Ringloom(Pollers.start(config));
        Poller first = r.pollers.all().getFirst();
        LOG.log(System.Logger.Level.DEBUG, () -> "ringloom started " + config.pollers() + " poller(s) on io_uring: "
                + first.features());
        return r;
    }

    private static final class Shared {
        static final Ringloom INSTANCE;

        static {
            try {
                INSTANCE = open();
            } catch (IOException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    /**
     * The process-wide runtime, started on first use.
     *
     * @throws IOException if it cannot start (io_uring unavailable), with the reason
     */
    public static Ringloom shared() throws IOException {
        try {
            return Shared.INSTANCE;
        } catch (ExceptionInInitializerError e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (NoClassDefFoundError e) {
            throw new IOException("ringloom's shared runtime failed to start earlier; see the first error", e);
        }
    }

    /**
     * Opens or creates a file.
     *
     * @param options {@link java.nio.file.StandardOpenOption}s and {@link RingOpenOption}s; none means READ
     */
    public RingFile openFile(Path path, OpenOption... options) throws IOException {
        return RingFile.open(this, path, Set.of(options));
    }

    /** A new pipe: {@code [0]} reads what {@code [1]} writes. Both are stream {@link RingFile}s. */
    public RingFile[] pipe() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            int r = Libc.pipe2(fds, Libc.O_CLOEXEC);
            if (r < 0) {
                throw Errno.exception("pipe2", r);
            }
            int rd = fds.getAtIndex(JAVA_INT, 0), wr = fds.getAtIndex(JAVA_INT, 1);
            return new RingFile[]{RingFile.adopt(this, rd, "pipe:[read]", true, false),
                    RingFile.adopt(this, wr, "pipe:[write]", false, true)};
        }
    }

    /** Connects a TCP socket to {@code address}, waiting as long as the kernel does. */
    public RingSocket connect(InetSocketAddress address) throws IOException {
        return RingSocket.connect(this, address, 0);
    }

    /**
     * Connects a TCP socket to {@code address}.
     *
     * @throws java.net.SocketTimeoutException if {@code timeout} passes first (the socket is closed)
     * @throws java.net.ConnectException       if the peer refuses
     * @throws java.net.UnknownHostException   if {@code address} is unresolved
     */
    public RingSocket connect(InetSocketAddress address, Duration timeout) throws IOException {
        return RingSocket.connect(this, address, timeout.toNanos());
    }

    /** A listening TCP socket on {@code local} (port 0: any free port), backlog 128. */
    public RingServerSocket listen(InetSocketAddress local) throws IOException {
        return RingServerSocket.listen(this, local, 128);
    }

    /** A listening TCP socket on {@code local} with the given backlog. */
    public RingServerSocket listen(InetSocketAddress local, int backlog) throws IOException {
        return RingServerSocket.listen(this, local, backlog);
    }

    Poller nextPoller() {
        return pollers.next();
    }

    NativeBufferPool buffers() {
        return buffers;
    }

    boolean nowaitReads() {
        return nowaitReads;
    }

    /** The pollers, for metrics and tests. */
    public Pollers pollers() {
        return pollers;
    }

    /** Abandoned ops whose memory the registries hold until the kernel completes them. */
    public int registrySize() {
        return pollers.registrySize();
    }

    /** Ops the kernel owns right now, over all pollers. */
    public int inFlight() {
        return pollers.inFlight();
    }

    /**
     * Provided receive buffers that sockets hold right now: received into by the kernel and not yet read. A
     * socket whose bytes were all read holds none.
     */
    public int receiveBuffersHeld() {
        return pollers.receiveBuffersHeld();
    }

    /** Frees idle pooled buffers (memory in use is untouched). */
    public void trimBuffers() {
        buffers.trim();
    }

    /** Cancels what is in flight, waits for every completion, stops the pollers. Idempotent. */
    @Override
    public void close() {
        pollers.close();
        buffers.trim();
    }
}
