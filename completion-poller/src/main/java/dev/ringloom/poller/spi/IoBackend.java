package dev.ringloom.poller.spi;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Set;

/**
 * One way of doing IO: files, pipes and TCP sockets whose blocking calls park only the calling thread, keeping
 * the rules of this package's contract. Thread-safe. The runtime that opened a backend owns it and
 * {@link #close()}s it; channels opened through it fail afterwards.
 */
public interface IoBackend extends AutoCloseable {
    /** A short name: {@code io_uring}, {@code jdk}. */
    String name();

    /** Opens a file with {@link java.nio.file.StandardOpenOption}s (and backend-specific ones). */
    FileIo openFile(Path path, Set<? extends OpenOption> options) throws IOException;

    /** A new pipe: [0] the read end, [1] the write end. */
    FileIo[] pipe() throws IOException;

    /** Connects a TCP socket; {@code timeoutNanos} 0 waits as long as the kernel does. */
    SocketIo connect(InetSocketAddress address, long timeoutNanos) throws IOException;

    /** Binds (with SO_REUSEADDR) and listens; {@code backlog} below 1 means 128. */
    ServerSocketIo listen(InetSocketAddress local, int backlog) throws IOException;

    /** Ops the backend owns right now (in the kernel or on its helper threads). */
    int inFlight();

    /** Abandoned ops whose buffers the backend still holds until they complete. */
    int abandonedInFlight();

    /** What the backend is doing and has done ({@link IoStats}), in terms every backend shares. */
    IoStats stats();

    /**
     * Where virtual threads that do this backend's IO should run, round robin over the backend's event loops
     * ({@link java.util.concurrent.Executor}s that run the continuations of the threads they complete IO for); null
     * if the backend has none, and threads then run on the JDK's scheduler.
     */
    default java.util.concurrent.Executor nextScheduler() {
        return null;
    }

    /**
     * Where the runtime's owned buffers come from: memory this backend's IO can use best (io_uring's registered
     * buffers), else plain pooled native memory. The backend keeps it valid for buffers still out after
     * {@link #close()}.
     */
    BufferPool ownedBuffers();

    /** Frees idle pooled memory; what is in use is untouched. */
    default void trimBuffers() {
    }

    /** Cancels what is in flight, waits until every buffer is back, releases the backend's threads. Idempotent. */
    @Override
    void close();
}
