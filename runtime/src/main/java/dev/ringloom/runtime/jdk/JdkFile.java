package dev.ringloom.runtime.jdk;

import dev.ringloom.runtime.backend.IoErrors;
import dev.ringloom.runtime.RingOpenOption;
import dev.ringloom.runtime.RingFile;

import dev.ringloom.poller.spi.FileIo;
import dev.ringloom.poller.spi.FileMode;

import dev.ringloom.poller.BufferOwner;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Set;

/**
 * A file ({@link FileChannel}) or pipe end on the JDK backend; the rules are {@link RingFile}'s. Where its channel can
 * be made to ignore interrupts ({@link UninterruptibleChannels}) a file's reads, writes and syncs run on the caller,
 * as the JDK's own would, and an interrupt lets the one under way finish. Elsewhere they run on a helper into or
 * from a copy owned by the helper, so a caller that leaves never has its buffer written later — except a read-only
 * file's reads, which run on the caller through java.io ({@link CallerReads}). A pipe end is a non-blocking channel
 * its callers read or write themselves ({@link NonBlockingChannel}). Thread-safe.
 */
final class JdkFile implements FileIo {
    private static final int MAX_IO = 1 << 20;

    private final JdkBackend backend;
    private final FileChannel file;                 // null for a pipe end
    private final java.io.Closeable channel;        // what close closes: file, or the pipe end's NonBlockingChannel
    private final JdkStreamReads streamReads;      // pipe read end, or null
    private final JdkStreamWrites streamWrites;    // pipe write end, or null
    private final CallerReads callerReads;          // a file opened read-only, or null
    private final boolean onCaller;                 // file ignores interrupts: its IO runs on the caller
    private final String name;
    private final FileMode mode;

    /** A file ({@code file}, {@code end} null) or a pipe end ({@code end}, {@code file} null). */
    private JdkFile(JdkBackend backend, FileChannel file, NonBlockingChannel end, JdkStreamReads reads,
                    JdkStreamWrites writes, String name, FileMode mode) {
        this(backend, file, null, false, end, reads, writes, name, mode);
    }

    private JdkFile(JdkBackend backend, FileChannel file, CallerReads callerReads, boolean onCaller,
                    NonBlockingChannel end, JdkStreamReads reads, JdkStreamWrites writes, String name, FileMode mode) {
        this.backend = backend;
        this.file = file;
        this.callerReads = callerReads;
        this.onCaller = onCaller;
        this.channel = file != null ? file : end;
        this.name = name;
        this.mode = mode;
        this.streamReads = reads;
        this.streamWrites = writes;
    }

    static JdkFile open(JdkBackend backend, Path path, Set<? extends OpenOption> options) throws IOException {
        Objects.requireNonNull(path, "path");
        FileMode mode = FileMode.of(options);
        if (options.contains(RingOpenOption.DIRECT)) {
            throw new UnsupportedOperationException("O_DIRECT needs the io_uring backend");
        }
        IoErrors.checkNotInterrupted("open", path.toString());
        String name = path.toAbsolutePath().toString();
        if (!UninterruptibleChannels.available()
                && (options.isEmpty() || options.equals(Set.of(StandardOpenOption.READ)))) {
            RandomAccessFile raf = readOnly(path);
            if (raf != null) {
                FileChannel ch = backend.track(raf.getChannel());   // closing it closes raf
                return new JdkFile(backend, ch, new CallerReads(raf), false, null, null, null, name, mode);
            }
        }
        FileChannel ch = backend.track(FileChannel.open(path, options));
        boolean onCaller = UninterruptibleChannels.shield(ch);     // false on another file system: helpers
        return new JdkFile(backend, ch, null, onCaller, null, null, null, name, mode);
    }

    /**
     * The file opened read-only through java.io ({@link CallerReads}), or null where java.io can't or won't: a path
     * of another file system, or an open that fails — {@code FileChannel.open} then reports it in NIO's terms
     * ({@code NoSuchFileException}, {@code AccessDeniedException}), or opens what java.io refuses (a directory).
     */
    private static RandomAccessFile readOnly(Path path) {
        try {
            return new RandomAccessFile(path.toFile(), "r");
        } catch (UnsupportedOperationException | java.io.FileNotFoundException | SecurityException e) {
            return null;
        }
    }

    static JdkFile stream(JdkBackend backend, java.nio.channels.Pipe.SourceChannel end, String name)
            throws IOException {
        NonBlockingChannel stream = backend.track(new NonBlockingChannel(backend, end, name));
        return new JdkFile(backend, null, stream, new JdkStreamReads(backend, stream, end, name), null, name,
                FileMode.READ_END);
    }

    static JdkFile stream(JdkBackend backend, java.nio.channels.Pipe.SinkChannel end, String name)
            throws IOException {
        NonBlockingChannel stream = backend.track(new NonBlockingChannel(backend, end, name));
        return new JdkFile(backend, null, stream, null, new JdkStreamWrites(stream, end, name), name,
                FileMode.WRITE_END);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public FileMode mode() {
        return mode;
    }

    @Override
    public boolean isStream() {
        return file == null;
    }

    @Override
    public int read(ByteBuffer dst, long pos) throws IOException {
        if (file == null) {
            return streamReads.read(dst, 0);
        }
        if (onCaller) {
            return readHere(dst, pos);
        }
        if (callerReads != null) {
            int n = callerReads.read(dst, pos, MAX_IO);
            if (n != CallerReads.NOT_HERE) {
                return n;
            }
        }
        int want = Math.min(dst.remaining(), MAX_IO);
        JdkOp<ByteBuffer> op = backend.start("pread(" + name + ")", () -> {
            ByteBuffer b = ByteBuffer.allocate(want);
            return file.read(b, pos) < 0 ? null : b.flip();
        });
        ByteBuffer got = op.await("pread(" + name + ")", 0);   // interrupted: the helper's copy is dropped when done
        if (got == null) {
            return -1;
        }
        int n = got.remaining();
        dst.put(got);
        return n;
    }

    /** One read of at most MAX_IO bytes on this thread: the channel ignores interrupts, so none can close it. */
    private int readHere(ByteBuffer dst, long pos) throws IOException {
        int limit = dst.limit();
        if (dst.remaining() > MAX_IO) {
            dst.limit(dst.position() + MAX_IO);
        }
        int n;
        try {
            n = file.read(dst, pos);
        } catch (IOException e) {
            throw closedDuring(e);
        } finally {
            dst.limit(limit);
        }
        if (n <= 0 && !file.isOpen()) {
            // A channel that ignores interrupts reports no close under its read: it read the dead fd the close left.
            throw closedDuring(new AsynchronousCloseException());
        }
        return n;
    }

    /**
     * One write of at most MAX_IO bytes on this thread. An interrupt lets it finish; one that came while it ran and
     * stopped it short is reported with the exact count, as a helper's write would be.
     */
    private int writeHere(ByteBuffer src, long pos) throws IOException {
        int limit = src.limit();
        int len = Math.min(src.remaining(), MAX_IO);
        src.limit(src.position() + len);
        int n;
        try {
            n = writeAt(src, pos);
        } catch (IOException e) {
            throw closedDuring(e);
        } finally {
            src.limit(limit);
        }
        return exactCount(n, len);
    }

    /** The write itself, on whichever thread does it. */
    private int writeAt(ByteBuffer from, long pos) throws IOException {
        // At the current position only in append mode: FileChannel's sequential write appends atomically there.
        return pos == CURRENT_POSITION ? file.write(from) : file.write(from, pos);
    }

    /** {@code n} of {@code len} bytes written, or, if an interrupt stopped the write short, the exception saying so. */
    private int exactCount(int n, int len) throws InterruptedIOException {
        if (Thread.currentThread().isInterrupted() && n < len) {
            throw IoErrors.interrupted("write(" + name + ")", n);
        }
        return n;
    }

    /**
     * What a caller's failed IO reports. A channel that ignores interrupts does not say that a close came under its
     * IO: it fails on the dead fd the close left (EPIPE, EBADF), so a failure of a channel closed meanwhile is an
     * {@link AsynchronousCloseException}; a close of the whole runtime says so in its words, as a helper's op does.
     */
    private IOException closedDuring(IOException e) {
        ClosedChannelException closed;
        if (e instanceof ClosedChannelException c) {
            closed = c;
        } else if (!file.isOpen()) {
            closed = new AsynchronousCloseException();
            closed.initCause(e);
        } else {
            return e;
        }
        return backend.inItsWords(name, closed);
    }

    /**
     * One write of at most MAX_IO bytes: on the caller where it may, else from a copy on a helper; either way waited
     * for even if interrupted, so the count is exact.
     */
    @Override
    public int write(ByteBuffer src, long pos) throws IOException {
        if (file == null) {
            return streamWrites.write(src);
        }
        if (onCaller) {
            return writeHere(src, pos);
        }
        int len = Math.min(src.remaining(), MAX_IO);
        ByteBuffer copy = ByteBuffer.allocate(len).put(0, src, src.position(), len);
        int n;
        try {
            n = writeOnHelper(copy, pos);
        } catch (InterruptedIOException cutShort) {
            src.position(src.position() + cutShort.bytesTransferred);
            throw cutShort;
        }
        src.position(src.position() + n);
        return n;
    }

    /**
     * One write of {@code from} on a helper, waited for even if interrupted (a file write ends promptly), so the
     * count is exact: cut short by an interrupt, {@link InterruptedIOException} says how much landed.
     */
    private int writeOnHelper(ByteBuffer from, long pos) throws IOException {
        int len = from.remaining();
        JdkOp<Integer> op = backend.start("pwrite(" + name + ")", () -> writeAt(from, pos));
        return exactCount(op.join(), len);
    }

    /** The helper reads into {@code memory} itself; an abandoned read hands it to {@code ifAbandoned} when done. */
    @Override
    public int readLent(MemorySegment memory, long pos, BufferOwner ifAbandoned) throws IOException {
        ByteBuffer into = memory.asSlice(0, Math.min(memory.byteSize(), MAX_IO)).asByteBuffer();
        if (onCaller) {
            return readHere(into, pos);                     // on this thread: nothing is lent to anyone
        }
        if (callerReads != null) {
            int n = callerReads.read(into, pos, MAX_IO);    // on this thread: nothing is lent to anyone
            if (n != CallerReads.NOT_HERE) {
                return n;
            }
        }
        JdkOp<Integer> op = backend.start("pread(" + name + ")", () -> file.read(into, pos),
                () -> ifAbandoned.release(memory));
        return op.await("pread(" + name + ")", 0);
    }

    /** The helper writes from {@code memory} itself; the writer waits for it even if interrupted. */
    @Override
    public int writeLent(MemorySegment memory, long pos, BufferOwner ifAbandoned) throws IOException {
        ByteBuffer from = memory.asSlice(0, Math.min(memory.byteSize(), MAX_IO)).asByteBuffer();
        return onCaller ? writeHere(from, pos) : writeOnHelper(from, pos);
    }

    @Override
    public long size() throws IOException {
        return file.size();
    }

    @Override
    public void truncate(long size) throws IOException {
        file.truncate(size);
    }

    @Override
    public void force() throws IOException {
        if (onCaller) {
            try {
                file.force(true);
            } catch (IOException e) {
                throw closedDuring(e);
            }
            return;
        }
        JdkOp<Void> op = backend.start("fsync(" + name + ")", () -> {
            file.force(true);
            return null;
        });
        op.join();
    }

    /**
     * A file: closing the channel wakes the helpers blocked in it; the JDK releases the fd after they left. A pipe
     * end: {@link NonBlockingChannel#close}.
     */
    @Override
    public void close() throws IOException {
        backend.untrack(channel);
        if (callerReads != null) {
            callerReads.close();                    // its fd is the channel's
        }
        try {
            channel.close();
        } finally {
            if (streamReads != null) {
                streamReads.close();
            }
        }
    }

    @Override
    public String toString() {
        return "jdk, " + name;
    }
}
