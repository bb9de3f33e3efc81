package dev.ringloom.runtime.uring;

import dev.ringloom.runtime.backend.IoErrors;
import dev.ringloom.runtime.RingOpenOption;
import dev.ringloom.runtime.RingFile;

import dev.ringloom.poller.BufferOwner;
import dev.ringloom.poller.FdHandle;
import dev.ringloom.poller.NativeBufferPool;
import dev.ringloom.poller.sys.NativeMemory;
import dev.ringloom.poller.Op;
import dev.ringloom.poller.OpEncoder;
import dev.ringloom.poller.Poller;
import dev.ringloom.poller.RegisteredBuffers;
import dev.ringloom.poller.sys.Errno;
import dev.ringloom.poller.sys.Libc;
import dev.ringloom.poller.uring.IoUringConstants;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import dev.ringloom.poller.spi.BufferVectors;
import dev.ringloom.poller.spi.FileIo;
import dev.ringloom.poller.spi.FileMode;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Set;

import static dev.ringloom.runtime.uring.OpBracket.OnInterrupt.ABANDON;
import static dev.ringloom.runtime.uring.OpBracket.OnInterrupt.CANCEL_AND_WAIT;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/** The io_uring {@link FileIo}: one op per primitive; the rules are {@link RingFile}'s. Thread-safe. */
final class UringFile implements FileIo {
    /** Largest single op; larger requests are short reads/writes, as the java.nio contracts allow. */
    static final int MAX_IO = NativeBufferPool.MAX_SIZE;

    private final Poller poller;
    private final NativeBufferPool pool;
    private final FdHandle handle;
    private final OpBracket ops;
    private final String name;
    private final FileMode mode;
    private final boolean stream;
    /**
     * How reads and writes reach the kernel; streams: RING. Written once more after the open, from UNCHOSEN to the
     * file system's way ({@link #chooseWay}); a race is benign: every value is a valid way, two threads that both
     * choose write the same one, and a thread that still reads UNCHOSEN pays one refused {@code preadv2}.
     */
    private FileIoPath path;
    private final StreamReads streamReads;                             // non-null for streams
    private final SpareOp<Op> spare = new SpareOp<>(Op::new);          // pread, pwrite, fsync
    private final DeviceWaits deviceWaits = new DeviceWaits(DeviceWaits.BUDGET_NANOS);
    private final CallerWrites callerWrites = new CallerWrites();
    private final boolean callerWritesAllowed;

    private UringFile(UringBackend runtime, int fd, String name, FileMode mode, boolean direct) {
        this.poller = runtime.nextPoller();
        this.pool = runtime.buffers();
        this.handle = new FdHandle(fd);
        this.name = name;
        this.ops = new OpBracket(poller, handle, name, false);
        this.mode = mode;
        this.stream = Libc.lseek(fd, 0, Libc.SEEK_CUR) == -Errno.ESPIPE;
        this.path = stream ? FileIoPath.RING : FileIoPath.atOpen(direct, runtime.nowaitReads());
        this.streamReads = stream ? new StreamReads(ops, pool, IoUringConstants.OP_READ) : null;
        this.callerWritesAllowed = runtime.callerWrites();
    }

    static UringFile adopt(UringBackend runtime, int fd, String name, FileMode mode) {
        return new UringFile(runtime, fd, name, mode, false);
    }

    static UringFile open(UringBackend runtime, Path path, Set<? extends OpenOption> options) throws IOException {
        Objects.requireNonNull(path, "path");
        FileMode mode = FileMode.of(options);
        boolean write = mode.writable(), read = mode.readable(), append = mode.append();
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
            if (options.contains(StandardOpenOption.TRUNCATE_EXISTING)) {
                flags |= Libc.O_TRUNC;
            }
        }
        String abs = path.toAbsolutePath().toString();
        int fd = openat(runtime, abs, flags);
        return new UringFile(runtime, fd, abs, mode, direct);
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
        int now = CachedOpen.GO_TO_RING;
        try {
            if (poller.isOpen()) {          // a closed runtime refuses the open through the ring, with the reason
                now = CachedOpen.tryOpen(cpath, flags);
            }
        } catch (RuntimeException | Error e) {
            NativeMemory.free(cpath);
            throw e;
        }
        if (now != CachedOpen.GO_TO_RING) {
            NativeMemory.free(cpath);
            if (now < 0) {
                throw Errno.fileException("open", path, now);
            }
            return now;
        }
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
        return stream;
    }

    // ---------------------------------------------------------------- the file's way

    /**
     * If the file's way is still {@link FileIoPath#UNCHOSEN}, chooses it from its file system, with {@code fd} held
     * by the caller, and returns true: the page cache refused the caller's read, which goes again the chosen way
     * (on tmpfs a copy on this thread; on a disk file system the ring, as before). False if the way was chosen
     * already.
     */
    private boolean chooseWay(int fd) {
        if (path != FileIoPath.UNCHOSEN) {
            return false;
        }
        path = FileIoPath.choose(fd, mode.readable(), callerWritesAllowed);
        return true;
    }

    /** The way a write takes, chosen first if it was not: a write must know whether the file is memory. */
    private FileIoPath writeWay() throws IOException {
        FileIoPath way = path;
        if (way != FileIoPath.UNCHOSEN) {
            return way;
        }
        int fd = ops.acquire();
        try {
            chooseWay(fd);
        } finally {
            ops.giveBack();
        }
        return path;
    }

    // ---------------------------------------------------------------- reads

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return stream ? streamReads.read(dst, MAX_IO, 0) : pread(dst, position);
    }

    /** One op for the slice, scattered from the pool buffer it read into (streams: the default's, through one read). */
    @Override
    public long read(ByteBuffer[] dsts, int offset, int length, long position) throws IOException {
        if (stream) {
            return FileIo.super.read(dsts, offset, length, position);
        }
        int len = (int) Math.min(BufferVectors.remaining(dsts, offset, length), MAX_IO);
        return pread(null, dsts, offset, length, len, position);
    }

    private int pread(ByteBuffer dst, long pos) throws IOException {
        return pread(dst, null, 0, 0, Math.min(dst.remaining(), MAX_IO), pos);
    }

    /** One read of {@code len} bytes at {@code pos} into {@code dst}, or (null) scattered over the slice. */
    private int pread(ByteBuffer dst, ByteBuffer[] dsts, int offset, int length, int len, long pos)
            throws IOException {
        FileIoPath way = path;
        if (way.readsOnCaller) {
            return readNow(dst, dsts, offset, length, len, pos);
        }
        int fd = ops.acquire();
        boolean askCache = way.asksCacheFirst;
        MemorySegment buf = null;
        Op op = null;
        long r = -1;
        boolean chosen = false;     // the cache refused the first read of an UNCHOSEN file: it goes again, chosen
        try {   // from the reference to the submit: whatever throws (an OutOfMemoryError) gives both back
            if (askCache && dst != null && dst.isDirect()) {
                // Cached data straight into the caller's memory: the call is synchronous, so the kernel is done
                // with the buffer when it returns and no ownership passes.
                r = Libc.preadv2NoWait(fd, MemorySegment.ofBuffer(dst).address(), len, pos);
                if (r >= 0) {
                    ops.giveBack();
                    Poller.yieldIfSliceUsed();
                    if (r == 0) {
                        return -1;
                    }
                    dst.position(dst.position() + (int) r);
                    return (int) r;
                }
                chosen = chooseWay(fd);
            }
            if (!chosen) {
                buf = pool.acquire(len);
                if (askCache && (dst == null || !dst.isDirect())) {
                    r = Libc.preadv2NoWait(fd, buf.address(), len, pos);
                    chosen = r < 0 && chooseWay(fd);
                }
                // Not cached (or O_DIRECT, or a file system without non-blocking reads): the ring. Our fd
                // reference and buf now travel with the op.
                op = r >= 0 || chosen ? null
                        : OpEncoder.read(spare.take(), fd, pos, buf.address(), len).buffer(buf, pool)
                                .reachesDevice(way.readsReachDevice);
            }
        } catch (RuntimeException | Error e) {
            ops.giveBack();
            pool.release(buf);
            throw e;
        }
        if (chosen) {               // outside the try: what the second attempt throws is its own to clean up
            ops.giveBack();
            pool.release(buf);
            return pread(dst, dsts, offset, length, len, pos);
        }
        if (op == null) {
            ops.giveBack();
            Poller.yieldIfSliceUsed();
            return deliver(buf, (int) r, dst, dsts, offset, length);
        }
        ops.submit(op);
        long waitStart = way.readsReachDevice ? deviceWaits.yieldWhilePending(op) : DeviceWaits.NOT_TIMED;
        int res = ops.await(op, ABANDON, "read", 0);   // interrupted: op and buf go to the registry
        deviceWaits.waited(waitStart);
        MemorySegment got = op.takeBuffer();
        spare.giveBack(op);
        return deliver(got, res, dst, dsts, offset, length);
    }

    /**
     * {@link #pread}'s {@link FileIoPath#MEMORY} way: a copy on the calling thread, straight into {@code dst}'s memory
     * or through a pool buffer. Synchronous, so the kernel is done with the memory when it returns and no ownership
     * passes.
     */
    private int readNow(ByteBuffer dst, ByteBuffer[] dsts, int offset, int length, int len, long pos)
            throws IOException {
        if (dst != null && dst.isDirect()) {
            int n = readNow(MemorySegment.ofBuffer(dst).address(), len, pos);
            if (n == 0) {
                return -1;
            }
            dst.position(dst.position() + n);
            return n;
        }
        MemorySegment buf = pool.acquire(len);
        int n;
        try {
            n = readNow(buf.address(), len, pos);
        } catch (IOException | RuntimeException | Error e) {
            pool.release(buf);
            throw e;
        }
        return deliver(buf, n, dst, dsts, offset, length);
    }

    /** A {@link FileIoPath#MEMORY} read into {@code [address, address + len)}: a copy on the calling thread. */
    private int readNow(long address, int len, long pos) throws IOException {
        int n = copyNow(false, address, len, pos);
        Poller.yieldIfSliceUsed();
        return n;
    }

    /** {@link #writeHere}'s answer when the write goes through the ring instead. */
    private static final int TO_RING = -1;

    /**
     * A write of {@code [address, address + len)} on the calling thread where the file's {@code way} and
     * {@link CallerWrites} let it, timed for CallerWrites, which learns from it whether it waited; else
     * {@link #TO_RING}, having written nothing. Synchronous: the kernel is done with the memory when it returns, so no
     * ownership passes.
     */
    private int writeHere(FileIoPath way, long address, int len, long pos) throws IOException {
        if (!way.writesOnCaller) {
            return TO_RING;
        }
        long start = System.nanoTime();
        if (!callerWrites.onCaller(start)) {
            return TO_RING;
        }
        int writers = callerWrites.begin(), n;
        try {
            n = copyNow(true, address, len, pos);
        } finally {
            callerWrites.end();
        }
        long end = System.nanoTime();
        callerWrites.took(end - start, len, writers, end);
        Poller.yieldIfSliceUsed();
        return n;
    }

    /** read/pread or write/pwrite under an fd reference; an error is the channel's exception, by errno. */
    private int copyNow(boolean write, long address, int len, long pos) throws IOException {
        int fd = ops.acquire();
        boolean here = pos == OpEncoder.CURRENT_POSITION;
        long r;
        try {
            r = write ? here ? Libc.write(fd, address, len) : Libc.pwrite(fd, address, len, pos)
                    : here ? Libc.read(fd, address, len) : Libc.pread(fd, address, len, pos);
        } finally {
            ops.giveBack();
        }
        if (r < 0) {
            throw ops.failure(write ? "write" : "read", (int) r, null);
        }
        return (int) r;
    }

    /**
     * Copies a completed read's {@code res >= 0} bytes out of {@code buf}, which goes back to the pool, into
     * {@code dst} or (null) over the slice.
     */
    private int deliver(MemorySegment buf, int res, ByteBuffer dst, ByteBuffer[] dsts, int offset, int length) {
        try {
            if (res == 0) {
                return -1;
            }
            if (dst == null) {
                BufferVectors.scatter(buf, res, dsts, offset, length);
            } else {
                MemorySegment.copy(buf, 0, MemorySegment.ofBuffer(dst), 0, res);
                dst.position(dst.position() + res);
            }
            return res;
        } finally {
            pool.release(buf);
        }
    }

    // ---------------------------------------------------------------- writes

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        return pwrite(src, position == CURRENT_POSITION ? OpEncoder.CURRENT_POSITION : position);
    }

    /** One op for the slice, gathered into one pool buffer (streams too: a pipe write of it is one write). */
    @Override
    public long write(ByteBuffer[] srcs, int offset, int length, long position) throws IOException {
        long pos = position == CURRENT_POSITION ? OpEncoder.CURRENT_POSITION : position;
        return Gathered.write(srcs, offset, length, MAX_IO, pool, (buf, len) -> writePooled(buf, len, pos));
    }

    private int pwrite(ByteBuffer src, long pos) throws IOException {
        int len = Math.min(src.remaining(), MAX_IO);
        if (src.isDirect()) {           // straight from the caller's memory, as the JDK writes a direct buffer
            int n = writeHere(writeWay(), MemorySegment.ofBuffer(src).address(), len, pos);
            if (n != TO_RING) {
                src.position(src.position() + n);
                return n;
            }
        }
        MemorySegment buf = pool.acquire(len);
        MemorySegment.copy(MemorySegment.ofBuffer(src), 0, buf, 0, len);
        int n;
        try {
            n = writePooled(buf, len, pos);
        } catch (InterruptedIOException cutShort) {
            src.position(src.position() + cutShort.bytesTransferred);
            throw cutShort;
        }
        src.position(src.position() + n);
        return n;
    }

    /** One write of {@code buf[0, len)}, pooled memory whose ownership passes to this call. */
    private int writePooled(MemorySegment buf, int len, long pos) throws IOException {
        FileIoPath way;
        try {
            way = writeWay();
        } catch (IOException | RuntimeException | Error e) {
            pool.release(buf);
            throw e;
        }
        int here;
        try {
            here = writeHere(way, buf.address(), len, pos);
        } catch (IOException | RuntimeException | Error e) {
            pool.release(buf);
            throw e;
        }
        if (here != TO_RING) {
            pool.release(buf);
            return here;
        }
        Op op;
        int fd;
        try {   // allocations before the fd reference, which they could leak
            op = spare.take();
            fd = ops.acquire();
        } catch (IOException | RuntimeException | Error e) {
            pool.release(buf);
            throw e;
        }
        OpEncoder.write(op, fd, pos, buf.address(), len).buffer(buf, pool).reachesDevice(way.writesReachDevice);
        ops.submit(op);
        long waitStart = way.writesReachDevice ? deviceWaits.yieldWhilePending(op) : DeviceWaits.NOT_TIMED;
        int res = ops.awaitWritten(op, "write", len);
        deviceWaits.waited(waitStart);
        spare.giveBack(op);
        return res;
    }

    // ---------------------------------------------------------------- owned buffers: the kernel reads and writes them

    @Override
    public int readLent(MemorySegment memory, long position, BufferOwner ifAbandoned) throws IOException {
        int len = (int) Math.min(memory.byteSize(), MAX_IO);
        FileIoPath way = path;
        if (way.readsOnCaller) {
            int n = readNow(memory.address(), len, position);
            return n == 0 ? -1 : n;
        }
        Op op = spare.take();                // allocations before the fd reference, which they could leak
        int fd = ops.acquire();
        if (way.asksCacheFirst) {
            // Cached data straight into the buffer, as pread does: synchronous, so the kernel is done with the
            // memory when the call returns, and no ownership passes.
            long r;
            boolean chosen;
            try {
                r = Libc.preadv2NoWait(fd, memory.address(), len, position);
                chosen = r < 0 && chooseWay(fd);
            } catch (RuntimeException | Error e) {
                ops.giveBack();         // as in pread: whatever throws before the submit gives the reference back
                throw e;
            }
            if (chosen) {               // the cache refused the first read of an UNCHOSEN file: again, chosen
                ops.giveBack();
                spare.giveBack(op);
                return readLent(memory, position, ifAbandoned);
            }
            if (r >= 0) {
                ops.giveBack();
                spare.giveBack(op);
                Poller.yieldIfSliceUsed();
                return r == 0 ? -1 : (int) r;
            }
        }
        int index = fixedIndex(memory);
        (index < 0 ? OpEncoder.read(op, fd, position, memory.address(), len)
                : OpEncoder.readFixed(op, fd, position, memory.address(), len, index)).buffer(memory, ifAbandoned)
                .reachesDevice(way.readsReachDevice);
        ops.submitLent(op);
        long waitStart = way.readsReachDevice ? deviceWaits.yieldWhilePending(op) : DeviceWaits.NOT_TIMED;
        int res = ops.awaitLent(op, ABANDON, "read", 0);   // interrupted: the registry has memory
        deviceWaits.waited(waitStart);
        spare.giveBack(op);
        return res == 0 ? -1 : res;
    }

    @Override
    public int writeLent(MemorySegment memory, long position, BufferOwner ifAbandoned) throws IOException {
        int len = (int) Math.min(memory.byteSize(), MAX_IO);
        long pos = position == CURRENT_POSITION ? OpEncoder.CURRENT_POSITION : position;
        FileIoPath way = writeWay();
        int here = writeHere(way, memory.address(), len, pos);
        if (here != TO_RING) {
            return here;
        }
        Op op = spare.take();
        int fd = ops.acquire(), index = fixedIndex(memory);
        (index < 0 ? OpEncoder.write(op, fd, pos, memory.address(), len)
                : OpEncoder.writeFixed(op, fd, pos, memory.address(), len, index)).buffer(memory, ifAbandoned)
                .reachesDevice(way.writesReachDevice);
        ops.submitLent(op);
        long waitStart = way.writesReachDevice ? deviceWaits.yieldWhilePending(op) : DeviceWaits.NOT_TIMED;
        int res = ops.awaitLent(op, CANCEL_AND_WAIT, "write", len);
        deviceWaits.waited(waitStart);
        spare.giveBack(op);
        return res;
    }

    /** The registered buffer {@code memory} lies in on this file's ring, or -1: an ordinary read or write. */
    private int fixedIndex(MemorySegment memory) {
        RegisteredBuffers registered = poller.registeredBuffers();
        int index = registered == null ? -1 : registered.indexOf(memory);
        if (index >= 0) {
            registered.countFixedOp();
        }
        return index;
    }

    // ---------------------------------------------------------------- the rest

    @Override
    public long size() throws IOException {
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

    @Override
    public void truncate(long size) throws IOException {
        int fd = handle.acquire();
        try {
            int r = Libc.ftruncate(fd, size);
            if (r < 0) {
                throw Errno.exception("ftruncate(" + name + ")", r);
            }
        } finally {
            handle.release();
        }
    }

    @Override
    public void force() throws IOException {
        Op op = spare.take();                // before the fd reference, which an OutOfMemoryError here would leak
        OpEncoder.fsync(op, ops.acquire());
        ops.run(op, CANCEL_AND_WAIT, "fsync");
        spare.giveBack(op);
    }

    /** Cancels the file's ops in flight, waits until the kernel completed them all, then closes the fd. */
    @Override
    public void close() throws IOException {
        try {
            ops.close();
        } finally {
            if (streamReads != null) {
                streamReads.dispose();  // also when close(2) itself failed: every CQE was reaped either way
            }
        }
    }

    @Override
    public String toString() {
        return "io_uring, " + name + ", " + handle;
    }
}
