package dev.ringloom.runtime;

import dev.ringloom.poller.IoUringUnavailableException;
import dev.ringloom.poller.NativeBufferPool;
import dev.ringloom.poller.PollerConfig;
import dev.ringloom.poller.spi.BackendUnavailableException;
import dev.ringloom.poller.spi.IoBackend;
import dev.ringloom.poller.spi.IoBackendProvider;
import dev.ringloom.poller.spi.IoStats;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A ringloom runtime: one {@linkplain IoBackend backend} — io_uring's pollers (each a platform thread with one
 * ring) or, where io_uring is unavailable, the JDK's own IO — behind the same channels. Files and streams opened
 * through it park the calling thread — virtual or platform — on their IO.
 *
 * <h2>Choosing the backend</h2>
 * {@code -Dringloom.backend=auto} (the default) uses io_uring and falls back to the JDK's IO when the kernel
 * refuses io_uring (too old, a seccomp filter such as Docker's default profile, {@code io_uring_disabled}, not
 * Linux). {@code io_uring} insists on it (opening fails with the reason), {@code jdk} always uses the JDK's IO, and
 * any other name picks an {@link IoBackendProvider} of that name. One INFO line on the {@code dev.ringloom}
 * {@link System.Logger} says which backend runs and why, once per backend and reason in a process.
 *
 * <p>Thread-safe. Most programs use {@link #shared()}, started on first use and never closed (its pollers
 * are daemon threads). A runtime opened with {@link #open} belongs to its opener: {@link #close()} cancels
 * whatever is still in flight, waits for the kernel to finish with every buffer, and stops the pollers;
 * channels opened through it fail afterwards.
 */
public final class Ringloom implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.ringloom");
    private static final Set<String> ANNOUNCED = ConcurrentHashMap.newKeySet();

    private final IoBackend backend;
    private final NativeBufferPool writerBuffers = new NativeBufferPool(64);
    private final IoBuffer.Accounting ownedAccounting = new IoBuffer.Accounting();

    private Ringloom(IoBackend backend) {
        this.backend = backend;
    }

    /** Starts a runtime with {@link PollerConfig#defaults()} and the backend {@code ringloom.backend} names. */
    public static Ringloom open() throws IOException {
        return open(PollerConfig.defaults());
    }

    /**
     * Starts a runtime; {@code config} applies to the io_uring backend.
     *
     * @throws IoUringUnavailableException when {@code ringloom.backend=io_uring} and the kernel refuses it
     */
    public static Ringloom open(PollerConfig config) throws IOException {
        return open(config, System.getProperty("ringloom.backend", "auto"));
    }

    /** Starts a runtime on the named backend: {@code auto}, {@code io_uring}, {@code jdk} or a provider's name. */
    public static Ringloom open(PollerConfig config, String backend) throws IOException {
        List<IoBackendProvider> providers = providers();
        if (!backend.equals("auto")) {
            for (IoBackendProvider p : providers) {
                if (p.name().equals(backend)) {
                    return started(p.open(config), "selected by ringloom.backend");
                }
            }
            throw new IllegalArgumentException("unknown ringloom.backend '" + backend + "': use auto, "
                    + String.join(", ", providers.stream().map(IoBackendProvider::name).toList())
                    + " (the registered IoBackendProviders)");
        }
        String unavailable = null;      // why the more preferred providers could not run
        for (IoBackendProvider p : providers) {
            try {
                IoBackend opened = p.open(config);
                return started(opened, unavailable == null ? "the preferred one runs here (" + opened.stats().description() + ")"
                        : unavailable);
            } catch (BackendUnavailableException e) {
                unavailable = unavailable == null ? e.getMessage() : unavailable + "; " + e.getMessage();
            }
        }
        throw new BackendUnavailableException("no ringloom backend can run here: " + unavailable, null);
    }

    /** Every registered provider, the most preferred first. */
    private static List<IoBackendProvider> providers() {
        List<IoBackendProvider> all = new ArrayList<>();
        ServiceLoader.load(IoBackendProvider.class, Ringloom.class.getClassLoader()).forEach(all::add);
        if (all.isEmpty()) {
            throw new IllegalStateException("no IoBackendProvider is registered: ringloom's runtime jar is"
                    + " incomplete (its META-INF/services or module-info lost the built-in providers)");
        }
        all.sort(Comparator.comparingInt(IoBackendProvider::preference).reversed());
        return all;
    }

    private static Ringloom started(IoBackend backend, String why) {
        if (ANNOUNCED.add(backend.name() + '\0' + why)) {
            LOG.log(System.Logger.Level.INFO, "ringloom runs on the " + backend.name() + " backend: " + why);
        }
        return new Ringloom(backend);
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
     * @throws IOException if it cannot start, with the reason
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
     * A buffer of {@code capacity} bytes from this runtime's pool, to pass into IO calls and take back with their
     * results ({@link IoBuffer}); {@link IoBuffer#close()} returns it. Thread-safe.
     *
     * @throws IllegalArgumentException if {@code capacity} is not in {@code [1, 1 MiB]}
     */
    public IoBuffer allocate(int capacity) {
        return new IoBuffer(backend.ownedBuffers(), capacity, ownedAccounting);
    }

    /** A {@link RingWriter} over {@code socket} with a 16 KiB buffer from this runtime's pool. */
    public RingWriter writer(RingSocket socket) {
        return writer(socket, 16 * 1024);
    }

    /** A {@link RingWriter} over {@code socket} whose buffer holds {@code capacity} bytes. */
    public RingWriter writer(RingSocket socket, int capacity) {
        Objects.requireNonNull(socket, "socket");
        return new RingWriter(socket::write, writerBuffers, capacity);
    }

    /** A {@link RingWriter} over {@code file}'s sequential writes (at its position, or appending), 64 KiB. */
    public RingWriter writer(RingFile file) {
        Objects.requireNonNull(file, "file");
        return new RingWriter(file::writeFully, writerBuffers, 64 * 1024);
    }

    /** Buffers {@link #allocate}d and not yet back in the pool — closed, or released after an abandoned call. */
    public long ownedBuffersOutstanding() {
        return ownedAccounting.outstanding.get();
    }

    /** The backend's name: {@code io_uring}, {@code jdk}, or a provider's. */
    public String backendName() {
        return backend.name();
    }

    /**
     * Opens or creates a file.
     *
     * @param options {@link java.nio.file.StandardOpenOption}s and {@link RingOpenOption}s; none means READ
     */
    public RingFile openFile(Path path, OpenOption... options) throws IOException {
        return new RingFile(backend.openFile(path, Set.of(options)));
    }

    /** A new pipe: {@code [0]} reads what {@code [1]} writes. Both are stream {@link RingFile}s. */
    public RingFile[] pipe() throws IOException {
        var ends = backend.pipe();
        return new RingFile[]{new RingFile(ends[0]), new RingFile(ends[1])};
    }

    /** Connects a TCP socket to {@code address}, waiting as long as the kernel does. */
    public RingSocket connect(InetSocketAddress address) throws IOException {
        return new RingSocket(backend.connect(address, 0));
    }

    /**
     * Connects a TCP socket to {@code address}.
     *
     * @throws java.net.SocketTimeoutException if {@code timeout} passes first (the socket is closed)
     * @throws java.net.ConnectException       if the peer refuses
     * @throws java.net.UnknownHostException   if {@code address} is unresolved
     */
    public RingSocket connect(InetSocketAddress address, Duration timeout) throws IOException {
        return new RingSocket(backend.connect(address, timeout.toNanos()));
    }

    /** A listening TCP socket on {@code local} (port 0: any free port), backlog 128. */
    public RingServerSocket listen(InetSocketAddress local) throws IOException {
        return new RingServerSocket(backend.listen(local, 128));
    }

    /** A listening TCP socket on {@code local} with the given backlog. */
    public RingServerSocket listen(InetSocketAddress local, int backlog) throws IOException {
        return new RingServerSocket(backend.listen(local, backlog));
    }

    /**
     * A builder of virtual threads scheduled on the poller that serves {@code socket}: such a thread runs on the
     * poller's own OS thread, between its trips into the kernel, so a completion wakes it without crossing
     * threads, and its sends are SEND ops its poller submits with the rest of a pass, in one {@code io_uring_enter}
     * (no syscall of their own; {@code -Dringloom.directSends}). Meant for the thread that serves a connection
     * (one per socket, as with {@code java.net}); on a machine with N cores, a runtime with N pollers spreads the
     * connections over all of them.
     *
     * <p>The rules of the threads it builds:
     * <ul>
     *   <li>They share the poller's OS thread with its ring and with every other thread scheduled there: a thread
     *       that computes for long or blocks outside a park (JDK file IO, a native call) stalls the IO of every
     *       socket on that poller meanwhile, as on an event loop; the poller's watchdog logs a task stuck longer
     *       than {@code ringloom.stuckTaskMillis}. Give such work to other threads.</li>
     *   <li>A ringloom wait while pinned (inside a class initializer, under a native frame) cannot unmount, so the
     *       poller that was to complete it could never run again: a <b>deadlock</b> of that poller. ringloom detects
     *       it and fails the wait with {@link dev.ringloom.poller.PollerDeadlockException} instead (after a few
     *       hundred milliseconds), the op cancelled and nothing of the stream lost. Since every send of these
     *       threads goes through the ring, this holds for a pinned write of any size: after it the socket refuses
     *       further writes, as its outcome is unknown.</li>
     *   <li>A virtual thread they start with {@link Thread#ofVirtual()} is scheduled on the same poller (the JDK
     *       gives a virtual thread its creator's scheduler).</li>
     *   <li>Interrupt, timeout and close rules are those of the channels, unchanged.</li>
     *   <li>If the poller ends (the runtime is closed), its threads go on running on one platform thread.</li>
     * </ul>
     *
     * <p>The JDK 25 has no public API for this; ringloom uses the JDK's own builder through reflection, which needs
     * {@code --add-opens java.base/java.lang=ALL-UNNAMED} (or {@code =dev.ringloom.runtime} on the module path).
     * Without it, or on the JDK backend, the builder is {@link Thread#ofVirtual()}
     * (one INFO line says why): the same code on the JDK's scheduler.
     */
    public Thread.Builder.OfVirtual ofVirtual(RingSocket socket) {
        return PollerThreads.builder(socket.scheduler());
    }

    /**
     * Like {@link #ofVirtual(RingSocket)} for threads not tied to one socket: the builder's threads all run on the
     * next poller (round robin per builder).
     */
    public Thread.Builder.OfVirtual ofVirtual() {
        return PollerThreads.builder(backend.nextScheduler());
    }

    /** True if {@link #ofVirtual} builds threads scheduled on the pollers (io_uring and java.lang open to ringloom). */
    public boolean schedulesOnPollers() {
        return backend.stats().eventLoops() > 0 && PollerThreads.available();
    }

    /**
     * What the backend is doing and has done — ops in flight, abandoned ops still holding buffers, completions,
     * wake-ups, overflows — in terms every backend shares. A snapshot; cheap enough for a metrics poll.
     */
    public IoStats stats() {
        return backend.stats();
    }

    /** Abandoned ops whose buffers the backend holds until the kernel completes them. */
    public int registrySize() {
        return backend.abandonedInFlight();
    }

    /** Ops the backend owns right now. */
    public int inFlight() {
        return backend.inFlight();
    }

    /**
     * Provided receive buffers that sockets hold right now: received into by the kernel and not yet read. A
     * socket whose bytes were all read holds none. Always 0 off io_uring.
     */
    public int receiveBuffersHeld() {
        return backend.stats().receiveBuffersHeld();
    }

    /** Frees idle pooled buffers (memory in use is untouched). */
    public void trimBuffers() {
        backend.trimBuffers();
        writerBuffers.trim();
    }

    /** Cancels what is in flight, waits for every completion, stops the backend's threads. Idempotent. */
    @Override
    public void close() {
        backend.close();
    }
}
