package dev.ringloom.runtime.uring;

import dev.ringloom.runtime.Ringloom;

import dev.ringloom.poller.NativeBufferPool;
import dev.ringloom.poller.spi.BufferPool;
import dev.ringloom.poller.Poller;
import dev.ringloom.poller.PollerConfig;
import dev.ringloom.poller.Pollers;
import dev.ringloom.poller.spi.FileIo;
import dev.ringloom.poller.spi.FileMode;
import dev.ringloom.poller.spi.IoBackend;
import dev.ringloom.poller.spi.IoStats;
import dev.ringloom.poller.spi.ServerSocketIo;
import dev.ringloom.poller.spi.SocketIo;
import dev.ringloom.poller.sys.Errno;
import dev.ringloom.poller.sys.Libc;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Executor;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The io_uring backend: pollers (a platform thread with one ring each) and a native buffer pool. Thread-safe;
 * owned by the {@link Ringloom} that opened it.
 */
final class UringBackend implements IoBackend {
    private final Pollers pollers;
    private final NativeBufferPool buffers;
    private final boolean nowaitReads;
    private final boolean callerWrites;

    private UringBackend(Pollers pollers) {
        this.pollers = pollers;
        this.buffers = new NativeBufferPool(256);
        this.nowaitReads = Boolean.parseBoolean(System.getProperty("ringloom.nowaitReads", "true"));
        this.callerWrites = Boolean.parseBoolean(System.getProperty("ringloom.callerWrites", "true"));
    }

    /** @throws dev.ringloom.poller.IoUringUnavailableException when the kernel refuses io_uring, saying why */
    static UringBackend open(PollerConfig config) throws IOException {
        return new UringBackend(Pollers.start(config));
    }

    @Override
    public String name() {
        return "io_uring";
    }

    @Override
    public FileIo openFile(Path path, Set<? extends OpenOption> options) throws IOException {
        return UringFile.open(this, path, options);
    }

    @Override
    public FileIo[] pipe() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            int r = Libc.pipe2(fds, Libc.O_CLOEXEC);
            if (r < 0) {
                throw Errno.exception("pipe2", r);
            }
            int rd = fds.getAtIndex(JAVA_INT, 0), wr = fds.getAtIndex(JAVA_INT, 1);
            return new FileIo[]{UringFile.adopt(this, rd, "pipe:[read]", FileMode.READ_END),
                    UringFile.adopt(this, wr, "pipe:[write]", FileMode.WRITE_END)};
        }
    }

    @Override
    public SocketIo connect(InetSocketAddress address, long timeoutNanos) throws IOException {
        return UringSocket.connect(this, address, timeoutNanos);
    }

    @Override
    public ServerSocketIo listen(InetSocketAddress local, int backlog) throws IOException {
        return UringServerSocket.listen(this, local, backlog);
    }

    @Override
    public int inFlight() {
        return pollers.inFlight();
    }

    @Override
    public int abandonedInFlight() {
        return pollers.registrySize();
    }

    @Override
    public IoStats stats() {
        return pollers.stats();
    }

    /** The next poller: a thread scheduled there is woken in place by its socket's completions. */
    @Override
    public Executor nextScheduler() {
        return pollers.next();
    }

    Poller nextPoller() {
        return pollers.next();
    }

    NativeBufferPool buffers() {
        return buffers;
    }

    @Override
    public BufferPool ownedBuffers() {
        return pollers.ownedBuffers();
    }

    boolean nowaitReads() {
        return nowaitReads;
    }

    /** False: {@code ringloom.callerWrites=false}, buffered writes on ext4, xfs and btrfs through the ring. */
    boolean callerWrites() {
        return callerWrites;
    }

    /**
     * Sends of at least this many bytes from direct memory go out as {@code IORING_OP_SEND_ZC}
     * ({@code -Dringloom.zeroCopySendFrom=BYTES}); off by default: measured over loopback, where the kernel copies
     * anyway, it costs more than the copying send at every size (BENCHMARKS.md).
     */
    int zeroCopySendFrom() {
        return zeroCopySendFrom;
    }

    private final int zeroCopySendFrom = Integer.getInteger("ringloom.zeroCopySendFrom", Integer.MAX_VALUE);

    /** Where a send goes first ({@code -Dringloom.directSends}, see {@link DirectPath}). */
    DirectPath sendPath() {
        return sendPath;
    }

    /** Where a read goes first when nothing was received for it yet ({@code -Dringloom.directReads}). */
    DirectPath readPath() {
        return readPath;
    }

    private final DirectPath sendPath = DirectPath.fromProperty("ringloom.directSends");
    private final DirectPath readPath = DirectPath.fromProperty("ringloom.directReads");

    @Override
    public void trimBuffers() {
        buffers.trim();
        pollers.trimOwnedBuffers();
    }

    @Override
    public void close() {
        pollers.close();
        buffers.trim();
    }
}
