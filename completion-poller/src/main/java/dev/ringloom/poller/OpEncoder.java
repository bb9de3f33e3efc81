package dev.ringloom.poller;

import dev.ringloom.poller.sys.Libc;

import static dev.ringloom.poller.uring.IoUringConstants.ACCEPT_MULTISHOT;
import static dev.ringloom.poller.uring.IoUringConstants.ASYNC_CANCEL_ALL;
import static dev.ringloom.poller.uring.IoUringConstants.ASYNC_CANCEL_FD;
import static dev.ringloom.poller.uring.IoUringConstants.OP_ACCEPT;
import static dev.ringloom.poller.uring.IoUringConstants.OP_ASYNC_CANCEL;
import static dev.ringloom.poller.uring.IoUringConstants.OP_CONNECT;
import static dev.ringloom.poller.uring.IoUringConstants.OP_FSYNC;
import static dev.ringloom.poller.uring.IoUringConstants.OP_OPENAT;
import static dev.ringloom.poller.uring.IoUringConstants.OP_READ;
import static dev.ringloom.poller.uring.IoUringConstants.OP_READ_FIXED;
import static dev.ringloom.poller.uring.IoUringConstants.OP_RECV;
import static dev.ringloom.poller.uring.IoUringConstants.OP_SEND;
import static dev.ringloom.poller.uring.IoUringConstants.OP_SEND_ZC;
import static dev.ringloom.poller.uring.IoUringConstants.OP_WRITE;
import static dev.ringloom.poller.uring.IoUringConstants.OP_WRITE_FIXED;
import static dev.ringloom.poller.uring.IoUringConstants.RECV_MULTISHOT;

/**
 * One encoder per opcode ringloom submits: where each argument goes in the SQE, with the ABI's quirks written
 * once — a stream is read and written at offset -1 ("the current position"), {@code connect} takes the address
 * length in {@code off}, {@code openat} the mode in {@code len}, multishot flags go in {@code ioprio}. Each fills
 * {@code op} through {@link Op#prepare} (so the op must be idle or done) and returns it for the caller to add its
 * buffer, fd reference and timeout. Stateless.
 */
public final class OpEncoder {
    /** The offset that means "the file's current position": how pipes, FIFOs and appends are read and written. */
    public static final long CURRENT_POSITION = -1L;

    private OpEncoder() {
    }

    /** {@code pread(fd, addr, len, offset)}; {@link #CURRENT_POSITION} reads a stream. */
    public static Op read(Op op, int fd, long offset, long addr, int len) {
        return op.prepare(OP_READ, fd, offset, addr, len, 0);
    }

    /** {@code pwrite(fd, addr, len, offset)}; {@link #CURRENT_POSITION} writes a stream or appends. */
    public static Op write(Op op, int fd, long offset, long addr, int len) {
        return op.prepare(OP_WRITE, fd, offset, addr, len, 0);
    }

    /**
     * {@link #read} into registered buffer {@code index} ({@code IORING_OP_READ_FIXED}): {@code [addr, addr + len)}
     * must lie inside it; the kernel uses its pinned pages instead of pinning the memory for this op.
     */
    public static Op readFixed(Op op, int fd, long offset, long addr, int len, int index) {
        return op.prepare(OP_READ_FIXED, fd, offset, addr, len, 0).bufferIndex(index);
    }

    /** {@link #write} from registered buffer {@code index} ({@code IORING_OP_WRITE_FIXED}). */
    public static Op writeFixed(Op op, int fd, long offset, long addr, int len, int index) {
        return op.prepare(OP_WRITE_FIXED, fd, offset, addr, len, 0).bufferIndex(index);
    }

    /** {@code recv(fd, addr, len, 0)}. */
    public static Op recv(Op op, int fd, long addr, int len) {
        return op.prepare(OP_RECV, fd, 0, addr, len, 0);
    }

    /**
     * A multishot recv into provided-buffer group {@code group}: one CQE per chunk, each naming the buffer it
     * filled, until it ends.
     */
    public static Op recvMultishot(Op op, int fd, short group) {
        return op.prepare(OP_RECV, fd, 0, 0, 0, 0).ioprio(RECV_MULTISHOT).bufferGroup(group).multishot();
    }

    /** {@code send(fd, addr, len, MSG_NOSIGNAL)}: a closed peer is an EPIPE result, never a SIGPIPE. */
    public static Op send(Op op, int fd, long addr, int len) {
        return op.prepare(OP_SEND, fd, 0, addr, len, Libc.MSG_NOSIGNAL);
    }

    /**
     * A zero-copy send: the kernel sends from {@code addr} itself and posts two CQEs — the result (with
     * {@code IORING_CQE_F_MORE}), then a notification ({@code IORING_CQE_F_NOTIF}) once it no longer reads the
     * memory. The op is multishot so the first reaches {@link Op#onMultishotCqe}; it completes at the second.
     */
    public static Op sendZc(Op op, int fd, long addr, int len) {
        return op.prepare(OP_SEND_ZC, fd, 0, addr, len, Libc.MSG_NOSIGNAL).multishot();
    }

    /** {@code connect(fd, sockaddr, addrlen)}: the kernel reads the address length from the SQE's {@code off}. */
    public static Op connect(Op op, int fd, long sockaddr, int addrlen) {
        return op.prepare(OP_CONNECT, fd, addrlen, sockaddr, 0, 0);
    }

    /** A multishot {@code accept4(fd, NULL, NULL, flags)}: one CQE per connection, each carrying its fd. */
    public static Op acceptMultishot(Op op, int fd, int flags) {
        return op.prepare(OP_ACCEPT, fd, 0, 0, 0, flags).ioprio(ACCEPT_MULTISHOT).multishot();
    }

    /** {@code openat(dirfd, path, flags, mode)}: the mode travels in the SQE's {@code len}. */
    public static Op openat(Op op, int dirfd, long path, int flags, int mode) {
        return op.prepare(OP_OPENAT, dirfd, 0, path, mode, flags);
    }

    /** {@code fsync(fd)}: data and metadata. */
    public static Op fsync(Op op, int fd) {
        return op.prepare(OP_FSYNC, fd, 0, 0, 0, 0);
    }

    /** Cancels every op in flight on {@code fd} ({@code IORING_ASYNC_CANCEL_FD | ALL}, 5.19). */
    public static Op cancelAllOnFd(Op op, int fd) {
        return op.prepare(OP_ASYNC_CANCEL, fd, 0, 0, 0, ASYNC_CANCEL_FD | ASYNC_CANCEL_ALL);
    }
}
