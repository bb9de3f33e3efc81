package dev.ringloom.runtime.uring;

import dev.ringloom.runtime.backend.IoErrors;
import dev.ringloom.runtime.RingOpenOption;
import dev.ringloom.runtime.RingFile;

import dev.ringloom.poller.FdHandle;
import dev.ringloom.poller.NativeBufferPool;
import dev.ringloom.poller.sys.NativeMemory;
import dev.ringloom.poller.Op;
import dev.ringloom.poller.OpEncoder;
import dev.ringloom.poller.Poller;
import dev.ringloom.poller.PollerDeadlockException;
import dev.ringloom.poller.sys.Errno;
import dev.ringloom.poller.sys.Libc;
import dev.ringloom.poller.uring.IoUringConstants;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import dev.ringloom.poller.spi.FileIo;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/** The io_uring {@link FileIo}: the rules are {@link RingFile}'s. */
final class UringFile implements FileIo {
    /** Largest single op; larger requests are short reads/writes, as the java.nio contracts allow. */
    static final int MAX_IO = NativeBufferPool.MAX_SIZE;

    private final Poller poller;
    private final NativeBufferPool pool;
    private final FdHandle handle;
    private final String name;
    private final boolean readable, writable, append, direct, stream;
    private final boolean cacheFirst;   // reads try preadv2(RWF_NOWAIT) before the ring (never with O_DIRECT)
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ReentrantLock positionLock = new ReentrantLock();  // sequential file ops; stream writes
    private long position;                                             // guarded by positionLock
    private final StreamReads streamReads;                             // non-null for streams
    private volatile IOException unknownWrite;                         // a write abandoned without its outcome

    private UringFile(UringBackend runtime, int fd, String name, boolean readable, boolean writable, boolean append,
                     boolean direct) {
        this.poller = runtime.nextPoller();
        this.pool = runtime.buffers();
        this.handle = new FdHandle(fd);
        this.name = name;
        this.readable = readable;
        this.writable = writable;
        this.append = append;
        this.direct = direct;
        this.cacheFirst = !direct && runtime.nowaitReads();
        this.stream = Libc.lseek(fd, 0, Libc.SEEK_CUR) == -Errno.ESPIPE;
        this.streamReads = stream ? new StreamReads(handle, poller, pool, name, IoUringConstants.OP_READ) : null;
    }

    static UringFile adopt(UringBackend runtime, int fd, String name, boolean readable, boolean writable) {
        return new UringFile(runtime, fd, name, readable, writable, false, false);
    }

    static UringFile open(UringBackend runtime, Path path, Set<? extends OpenOption> options) throws IOException {
        Objects.requireNonNull(path, "path");
        boolean write = options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND);
        boolean read = options.contains(StandardOpenOption.READ) || !write;
        boolean append = options.contains(StandardOpenOption.APPEND);
        boolean direct = options.contains(RingOpenOption.DIRECT);
        int flags = Libc.O_CLOEXEC | (read && write ? Libc.O_RDWR : write ? Libc.O_WRONLY : Libc.O_RDONLY);
        if (append) {
            flags |= Libc.O_APPEND;
        }
        if (direct) {
            flags |= Libc.O_DIRECT;
        }
        if (write) {
            if (options.contains(StandardOpenOption.CREATE_NEW)) {
                flags |= Libc.O_CREAT | Libc.O_EXCL;
            } else if (options.contains(StandardOpenOption.CREATE)) {
                flags |= Libc.O_CREAT;
            }
            if (options.contains(StandardOpenOption.TRUNCATE_EXISTING) && !append) {
                flags |= Libc.O_TRUNC;
            }
        }
        String abs = path.toAbsolutePath().toString();
        int fd = openat(runtime, abs, flags);
        return new UringFile(runtime, fd, abs, read, write, append, direct);
    }

    /** An open whose waiter left: the fd it produced belongs to nobody, so the poller closes it. */
    private static final class OpenOp extends Op {
        @Override
        protected void onAbandonedCompletion(int res) {
            if (res >= 0) {
                Libc.close(res);
            }
        }
    }

    private static int openat(UringBackend runtime, String path, int flags) throws IOException {
        IoErrors.checkNotInterrupted("open", path);
        byte[] utf8 = path.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (byte b : utf8) {
            if (b == 0) {
                throw new java.nio.file.InvalidPathException(path, "Nul character not allowed");
            }
        }
        MemorySegment cpath = NativeMemory.allocate(utf8.length + 1L, 8);
        MemorySegment.copy(utf8, 0, cpath, JAVA_BYTE, 0, utf8.length);
        cpath.set(JAVA_BYTE, utf8.length, (byte) 0);
        Poller poller = runtime.nextPoller();
        Op op = OpEncoder.openat(new OpenOp(), Libc.AT_FDCWD, cpath.address(), flags, 0644)
                .buffer(cpath, NativeMemory::free);
        try {
            poller.submit(op);
        } catch (IOException e) {
            op.releaseBuffer();
            throw e;
        }
        int res = op.await(poller);                  // on interrupt the registry frees cpath and closes the fd
        op.releaseBuffer();
        if (res < 0) {
            throw Errno.fileException("open", path, res);
        }
        return res;
    }

    /** For streams: bytes that reads abandoned on interrupt received anyway and that later reads returned. */
    @Override
    public long rescuedBytes() {
        return stream ? streamReads.rescuedBytes() : 0;
    }

    /** The path this file was opened with, or a pipe's label. */
    public String name() {
        return name;
    }

    /** True for pipes and FIFOs: no position, positional calls are refused. */
    public boolean isStream() {
        return stream;
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

    private void checkReadable() throws ClosedChannelException {
        ensureOpen();
        if (!readable) {
            throw new NonReadableChannelException();
        }
    }

    private void checkWritable() throws ClosedChannelException {
        ensureOpen();
        if (!writable) {
            throw new NonWritableChannelException();
        }
    }

    private void checkSeekable() {
        if (stream) {
            throw new UnsupportedOperationException(name + " is a stream and has no position");
        }
    }


    // ---------------------------------------------------------------- reads

    /**
     * Reads at the file position (or from the stream) into {@code dst} and advances both.
     *
     * @return bytes read (possibly fewer than {@code dst.remaining()}), or -1 at end of file/stream
     */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        checkReadable();
        if (stream) {
            return streamReads.read(dst, MAX_IO, 0);
        }
        positionLock.lock();
        try {
            int n;
            try {
                n = pread(dst, position);
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

    /**
     * Reads at {@code position} without moving the file position.
     *
     * @return bytes read, or -1 if {@code position} is at or past the end of the file
     */
    public int read(ByteBuffer dst, long position) throws IOException {
        checkReadable();
        checkSeekable();
        return pread(dst, position);
    }

    private int pread(ByteBuffer dst, long pos) throws IOException {
        int len = Math.min(dst.remaining(), MAX_IO);
        if (len == 0) {
            return 0;
        }
        IoErrors.checkNotInterrupted("read", name);
        int fd = handle.acquire();
        MemorySegment buf = null;
        Op op;
        long r = -1;
        try {   // from the reference to the submit: whatever throws (an OutOfMemoryError) gives both back
            if (cacheFirst && dst.isDirect()) {
                // Cached data straight into the caller's memory: the call is synchronous, so the kernel is done
                // with the buffer when it returns and no ownership passes.
                r = Libc.preadv2NoWait(fd, MemorySegment.ofBuffer(dst).address(), len, pos);
                if (r >= 0) {
                    handle.release();
                    if (r == 0) {
                        return -1;
                    }
                    dst.position(dst.position() + (int) r);
                    return (int) r;
                }
            }
            buf = pool.acquire(len);
            if (cacheFirst && !dst.isDirect()) {
                r = Libc.preadv2NoWait(fd, buf.address(), len, pos);
            }
            // Not cached (or O_DIRECT): the ring. Our fd reference and buf now travel with the op.
            op = r >= 0 ? null
                    : OpEncoder.read(new Op(), fd, pos, buf.address(), len).buffer(buf, pool).fdHandle(handle);
        } catch (RuntimeException | Error e) {
            handle.release();
            pool.release(buf);
            throw e;
        }
        if (op == null) {
            handle.release();
            return deliver(dst, buf, (int) r);
        }
        FdOps.submit(poller, handle, op);
        int res = op.await(poller);  // interrupted: the op and buf now belong to the registry
        return deliver(dst, op.takeBuffer(), res);
    }

    private int deliver(ByteBuffer dst, MemorySegment buf, int res) throws IOException {
        try {
            if (res < 0) {
                throw OpErrors.forResult("read(" + name + ")", res, handle, poller);
            }
            if (res == 0) {
                return -1;
            }
            MemorySegment.copy(buf, 0, MemorySegment.ofBuffer(dst), 0, res);
            dst.position(dst.position() + res);
            return res;
        } finally {
            pool.release(buf);
        }
    }

    // ---------------------------------------------------------------- writes

    /**
     * Writes {@code src} at the file position (at the end with APPEND; to the stream for pipes) and advances
     * both. Returns bytes written, which may be fewer than {@code src.remaining()}.
     */
    @Override
    public int write(ByteBuffer src) throws IOException {
        checkWritable();
        positionLock.lock();
        try {
            if (stream || append) {
                return pwrite(src, OpEncoder.CURRENT_POSITION);
            }
            int n;
            try {
                n = pwrite(src, position);
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

    /** Writes at {@code position} without moving the file position. */
    public int write(ByteBuffer src, long position) throws IOException {
        checkWritable();
        checkSeekable();
        return pwrite(src, position);
    }

    private int pwrite(ByteBuffer src, long pos) throws IOException {
        int len = Math.min(src.remaining(), MAX_IO);
        if (len == 0) {
            return 0;
        }
        IoErrors.checkNotInterrupted("write", name);
        IOException unknown = unknownWrite;
        if (unknown != null) {
            // How much of an abandoned write landed, and when the rest will, is not known (PITFALLS 10).
            throw new IOException("write(" + name + "): refused: an earlier write was abandoned without knowing"
                    + " how much of it was written (" + unknown.getMessage() + "); close the file", unknown);
        }
        Op op = new Op();                    // allocations before the fd reference, which they could leak
        MemorySegment buf = pool.acquire(len);
        MemorySegment.copy(MemorySegment.ofBuffer(src), 0, buf, 0, len);
        int fd;
        try {
            fd = handle.acquire();
        } catch (ClosedChannelException e) {
            pool.release(buf);
            throw e;
        }
        OpEncoder.write(op, fd, pos, buf.address(), len).buffer(buf, pool).fdHandle(handle);
        FdOps.submit(poller, handle, op);
        int res;
        try {
            res = op.awaitCancellingOnInterrupt(poller);
        } catch (PollerDeadlockException e) {
            unknownWrite = e;               // the abandoned write may still land: later writes could be overwritten
            throw e;
        }
        pool.release(op.takeBuffer());
        if (res > 0) {
            src.position(src.position() + res);
        }
        if (Thread.currentThread().isInterrupted() && res < len) {
            throw IoErrors.interrupted("write(" + name + ")", Math.max(res, 0));
        }
        if (res < 0) {
            throw OpErrors.forResult("write(" + name + ")", res, handle, poller);
        }
        return res;
    }

    // ---------------------------------------------------------------- the rest

    /** The file position. */
    @Override
    public long position() throws IOException {
        ensureOpen();
        checkSeekable();
        if (append) {
            return size();
        }
        positionLock.lock();
        try {
            return position;
        } finally {
            positionLock.unlock();
        }
    }

    /** Sets the file position; beyond the end, reads return -1 and writes extend the file. */
    @Override
    public UringFile position(long newPosition) throws IOException {
        ensureOpen();
        checkSeekable();
        positionLock.lock();
        try {
            position = newPosition;
        } finally {
            positionLock.unlock();
        }
        return this;
    }

    /** The file's current size. */
    @Override
    public long size() throws IOException {
        ensureOpen();
        checkSeekable();
        int fd = handle.acquire();
        try {
            long r = Libc.lseek(fd, 0, Libc.SEEK_END);
            if (r < 0) {
                throw Errno.exception("lseek(" + name + ")", (int) r);
            }
            return r;
        } finally {
            handle.release();
        }
    }

    /** Truncates the file to {@code size} bytes (no effect if it is smaller); the position is capped. */
    @Override
    public UringFile truncate(long size) throws IOException {
        checkWritable();
        checkSeekable();
        int fd = handle.acquire();
        try {
            if (size < size()) {
                int r = Libc.ftruncate(fd, size);
                if (r < 0) {
                    throw Errno.exception("ftruncate(" + name + ")", r);
                }
            }
        } finally {
            handle.release();
        }
        positionLock.lock();
        try {
            position = Math.min(position, size);
        } finally {
            positionLock.unlock();
        }
        return this;
    }

    /** fsync: data and metadata reach the device. */
    public void force() throws IOException {
        ensureOpen();
        IoErrors.checkNotInterrupted("fsync", name);
        Op op = new Op();                    // before the fd reference, which an OutOfMemoryError here would leak
        int fd = handle.acquire();
        OpEncoder.fsync(op, fd).fdHandle(handle);
        FdOps.submit(poller, handle, op);
        int res = op.awaitCancellingOnInterrupt(poller);
        if (res < 0) {
            if (Thread.currentThread().isInterrupted() && res == -Errno.ECANCELED) {
                throw IoErrors.interrupted("fsync(" + name + ")", 0);
            }
            throw OpErrors.forResult("fsync(" + name + ")", res, handle, poller);
        }
    }

    /**
     * Closes the file: cancels its ops in flight, waits until the kernel completed them all, then closes the
     * fd. Idempotent.
     */
    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            FdOps.close(handle, poller);
        } finally {
            if (streamReads != null) {
                streamReads.dispose();  // also when close(2) itself failed: every CQE was reaped either way
            }
        }
    }

    @Override
    public String toString() {
        return "UringFile[" + name + ", " + handle + "]";
    }
}
