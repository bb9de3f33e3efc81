package dev.ringloom.runtime.jdk;

import dev.ringloom.runtime.backend.IoErrors;
import dev.ringloom.runtime.RingOpenOption;
import dev.ringloom.runtime.RingFile;

import dev.ringloom.poller.spi.FileIo;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A file ({@link FileChannel}) or pipe end on the JDK backend; the rules are {@link RingFile}'s. Every read and
 * write runs on a helper into or from a copy owned by the helper, so a caller that leaves never has its buffer
 * written later. Thread-safe.
 */
final class JdkFile implements FileIo {
    private static final int MAX_IO = 1 << 20;

    private final JdkBackend backend;
    private final FileChannel file;                 // null for a pipe end
    private final ReadableByteChannel source;       // pipe read end, or null
    private final WritableByteChannel sink;         // pipe write end, or null
    private final JdkStreamReads streamReads;      // pipe read end, or null
    private final JdkStreamWrites streamWrites;    // pipe write end, or null
    private final String name;
    private final boolean append;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ReentrantLock positionLock = new ReentrantLock();
    private long position;                          // guarded by positionLock

    private JdkFile(JdkBackend backend, FileChannel file, ReadableByteChannel source, WritableByteChannel sink,
                    String name, boolean append) throws IOException {
        this.backend = backend;
        this.file = file;
        this.source = source;
        this.sink = sink;
        this.name = name;
        this.append = append;
        this.streamReads = source != null ? new JdkStreamReads(backend, source, name) : null;
        this.streamWrites = sink != null ? new JdkStreamWrites(backend, sink, name) : null;
    }

    static JdkFile open(JdkBackend backend, Path path, Set<? extends OpenOption> options) throws IOException {
        Objects.requireNonNull(path, "path");
        if (options.contains(RingOpenOption.DIRECT)) {
            throw new UnsupportedOperationException("O_DIRECT needs the io_uring backend");
        }
        IoErrors.checkNotInterrupted("open", path.toString());
        FileChannel ch = backend.track(FileChannel.open(path, options));
        return new JdkFile(backend, ch, null, null, path.toAbsolutePath().toString(),
                options.contains(java.nio.file.StandardOpenOption.APPEND));
    }

    static JdkFile stream(JdkBackend backend, java.nio.channels.Pipe.SourceChannel end, String name)
            throws IOException {
        backend.track(end);
        return new JdkFile(backend, null, end, null, name, false);
    }

    static JdkFile stream(JdkBackend backend, java.nio.channels.Pipe.SinkChannel end, String name)
            throws IOException {
        backend.track(end);
        return new JdkFile(backend, null, null, end, name, false);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean isStream() {
        return file == null;
    }

    @Override
    public boolean isOpen() {
        return !closed.get();
    }

    private void ensureOpen() throws ClosedChannelException {
        if (closed.get()) {
            throw new ClosedChannelException();
        }
    }

    private void ensureFile() {
        if (file == null) {
            throw new UnsupportedOperationException(name + " is a stream: it has no position");
        }
    }

    private IOException closedDuring(IOException e) {
        return closed.get() && !(e instanceof AsynchronousCloseException) ? new AsynchronousCloseException() : e;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        ensureOpen();
        if (file == null) {
            if (source == null) {
                throw new java.nio.channels.NonReadableChannelException();
            }
            try {
                return streamReads.read(dst, 0);
            } catch (IOException e) {
                throw closedDuring(e);
            }
        }
        positionLock.lock();
        try {
            int n;
            try {
                n = read(dst, position);
            } catch (InterruptedIOException e) {
                position += e.bytesTransferred;     // the position follows the bytes on every exit (PITFALLS 14)
                throw e;
            }
            if (n > 0) {
                position += n;
            }
            return n;
        } finally {
            positionLock.unlock();
        }
    }

    @Override
    public int read(ByteBuffer dst, long pos) throws IOException {
        ensureFile();
        ensureOpen();
        if (!dst.hasRemaining()) {
            return 0;
        }
        IoErrors.checkNotInterrupted("pread", name);
        int want = Math.min(dst.remaining(), MAX_IO);
        JdkOp<ByteBuffer> op = backend.start("pread(" + name + ")", () -> {
            ByteBuffer b = ByteBuffer.allocate(want);
            return file.read(b, pos) < 0 ? null : b.flip();
        });
        ByteBuffer got;
        try {
            got = op.await("pread(" + name + ")", 0);   // interrupted: the helper's copy is dropped when done
        } catch (IOException e) {
            throw closedDuring(e);
        }
        if (got == null) {
            return -1;
        }
        int n = got.remaining();
        dst.put(got);
        return n;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        ensureOpen();
        if (file == null) {
            if (sink == null) {
                throw new java.nio.channels.NonWritableChannelException();
            }
            try {
                return streamWrites.write(src);
            } catch (InterruptedIOException e) {
                throw e;
            } catch (IOException e) {
                throw closedDuring(e);
            }
        }
        positionLock.lock();
        try {
            if (append) {
                position = file.size();
            }
            int n;
            try {
                n = write(src, position);
            } catch (InterruptedIOException e) {
                position += e.bytesTransferred;     // a short write cut by an interrupt still wrote those bytes
                throw e;
            }
            position += n;
            return n;
        } finally {
            positionLock.unlock();
        }
    }

    @Override
    public int write(ByteBuffer src, long pos) throws IOException {
        ensureFile();
        ensureOpen();
        return writeVia(src, pos);
    }

    /** One write of at most MAX_IO bytes from a copy; waits for it even if interrupted, so the count is exact. */
    private int writeVia(ByteBuffer src, long pos) throws IOException {
        if (!src.hasRemaining()) {
            return 0;
        }
        IoErrors.checkNotInterrupted("write", name);
        int len = Math.min(src.remaining(), MAX_IO);
        ByteBuffer copy = ByteBuffer.allocate(len).put(0, src, src.position(), len);
        JdkOp<Integer> op = backend.start("pwrite(" + name + ")", () -> file.write(copy, pos));
        int n;
        try {
            n = op.awaitUninterruptibly();          // a file write ends promptly
        } catch (IOException e) {
            throw closedDuring(e);
        }
        src.position(src.position() + n);
        if (Thread.currentThread().isInterrupted() && n < len) {
            throw IoErrors.interrupted("write(" + name + ")", n);
        }
        return n;
    }

    @Override
    public long position() throws IOException {
        ensureFile();
        ensureOpen();
        positionLock.lock();
        try {
            return position;
        } finally {
            positionLock.unlock();
        }
    }

    @Override
    public JdkFile position(long newPosition) throws IOException {
        ensureFile();
        ensureOpen();
        positionLock.lock();
        try {
            position = newPosition;
        } finally {
            positionLock.unlock();
        }
        return this;
    }

    @Override
    public long size() throws IOException {
        ensureFile();
        ensureOpen();
        return file.size();
    }

    @Override
    public JdkFile truncate(long size) throws IOException {
        ensureFile();
        ensureOpen();
        file.truncate(size);
        positionLock.lock();
        try {
            position = Math.min(position, size);
        } finally {
            positionLock.unlock();
        }
        return this;
    }

    @Override
    public void force() throws IOException {
        ensureOpen();
        if (file != null) {
            JdkOp<Void> op = backend.start("fsync(" + name + ")", () -> {
                file.force(true);
                return null;
            });
            op.awaitUninterruptibly();
        }
    }

    /** Closing the channel wakes the helpers blocked in it; the JDK releases the fd after they left. */
    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        java.io.Closeable c = file != null ? file : source != null ? source : sink;
        backend.untrack(c);
        c.close();                                  // ends a read pump blocked in it
        if (streamReads != null) {
            streamReads.close();
        }
        if (streamWrites != null) {
            streamWrites.close();
        }
    }

    @Override
    public String toString() {
        return "RingFile[jdk, " + name + (closed.get() ? ", closed" : "") + "]";
    }
}
