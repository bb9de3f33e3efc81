package dev.ringloom.runtime.uring;

import dev.ringloom.poller.FdHandle;
import dev.ringloom.poller.Op;
import dev.ringloom.poller.OpEncoder;
import dev.ringloom.poller.Poller;
import dev.ringloom.poller.sys.Errno;
import dev.ringloom.runtime.backend.IoErrors;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;

/**
 * One channel's side of the protocol between its ops and its fd's close, written once for every io_uring channel.
 * A thread's op on the fd goes through six steps, in this order and nowhere else:
 * <ol>
 *   <li>{@link #acquire}: a reference on the fd, so the fd is not closed (and its number not reused) under the op;</li>
 *   <li>{@link #submit}: the op, carrying that reference and maybe a buffer, goes to the poller; if the poller
 *       refuses it, both are given back;</li>
 *   <li>cancel if closing: an op that took its reference just before close began may reach the ring after close's
 *       cancel-by-fd, so the submitter cancels it itself (else close would wait for an op nobody cancels);</li>
 *   <li>{@link #await} by the caller's {@link OnInterrupt policy};</li>
 *   <li>release: the kernel gives the fd reference back at the CQE (the poller drops it); a failed op's buffer is
 *       released here, a successful one's is the caller's to take ({@link Op#takeBuffer});</li>
 *   <li>{@link #failure map the error} to what a java.nio or java.net user expects.</li>
 * </ol>
 * The other half is {@link #close}: mark the fd closing, cancel every op in flight on it
 * ({@code IORING_ASYNC_CANCEL_FD | ALL}), and return once the fd was closed — after the last op using it completed.
 *
 * <p>Thread-safe; holds no state beyond its channel's poller, fd handle and name.
 */
final class OpBracket {
    /** What an interrupt does to a thread waiting for its op. */
    enum OnInterrupt {
        /**
         * The wait ends at once: the op is abandoned and cancelled, the registry frees its buffer at its CQE.
         * For ops whose outcome the caller can do without (a read; a connect, whose socket is closed anyway).
         */
        ABANDON,
        /**
         * The op is cancelled and the wait goes on until its CQE, so the caller learns exactly what it did: for
         * ops whose effect must be counted (a write's bytes) or known (an fsync).
         */
        CANCEL_AND_WAIT
    }

    private final Poller poller;
    private final FdHandle handle;
    private final String name;              // a file's path; a socket's kind, its fd appended when a message needs it
    private final boolean socket;           // picks the java.net exception types and the name's form

    /**
     * @param name a file's path, or for a socket its kind ({@code "socket"}): the channel's name in messages, which
     *             are built only when thrown, so that no call allocates its description
     */
    OpBracket(Poller poller, FdHandle handle, String name, boolean socket) {
        this.poller = poller;
        this.handle = handle;
        this.name = name;
        this.socket = socket;
    }

    /** Step 1: the fd, with a reference that the op {@link #submit submitted} next carries, or {@link #giveBack}. */
    int acquire() throws IOException {
        return handle.acquire();
    }

    /** Undoes {@link #acquire} for an op that never reached {@link #submit} (served without the ring, or failed). */
    void giveBack() {
        handle.release();
    }

    /** Steps 2 and 3 for an op a thread waits for; the op takes over the reference of {@link #acquire}. */
    void submit(Op op) throws IOException {
        submit(op, false);
    }

    /** Steps 2 and 3 for an op nobody waits for: the channel owns it (a multishot recv or accept). */
    void submitDetached(Op op) throws IOException {
        submit(op, true);
    }

    /**
     * Steps 2 and 3 for an op whose buffer its caller lent (an owned buffer): refused by the poller, the buffer is
     * taken back for the caller instead of released to its owner, which is for an abandoned op only.
     */
    void submitLent(Op op) throws IOException {
        submit(op, false, true);
    }

    private void submit(Op op, boolean detached) throws IOException {
        submit(op, detached, false);
    }

    private void submit(Op op, boolean detached, boolean lent) throws IOException {
        op.fdHandle(handle);                // the poller gives the reference back at the op's last CQE
        try {
            if (detached) {
                poller.submitDetached(op);
            } else {
                poller.submit(op);
            }
        } catch (IOException e) {
            handle.release();
            if (lent) {
                op.takeBuffer();
            } else {
                op.releaseBuffer();
            }
            throw e;
        }
        if (handle.isClosing()) {
            op.requestCancel(poller);
        }
    }

    /**
     * Steps 2 to 6: submits {@code op} and {@link #await}s it.
     *
     * @param syscall the call for messages, e.g. {@code "write"}: they say {@code write(/tmp/x)}
     */
    int run(Op op, OnInterrupt onInterrupt, String syscall) throws IOException {
        submit(op);
        return await(op, onInterrupt, syscall, this, 0, false);
    }

    /** {@link #run(Op, OnInterrupt, String)} whose messages name {@code target}, e.g. a connect's address. */
    int run(Op op, OnInterrupt onInterrupt, String syscall, Object target) throws IOException {
        submit(op);
        return await(op, onInterrupt, syscall, target, 0, false);
    }

    /**
     * Steps 4 to 6 for a submitted op: waits by {@code onInterrupt}; returns the op's result if it is not negative
     * (its buffer still on the op, the caller's to take), else releases the buffer and throws the mapped error.
     * With {@link OnInterrupt#CANCEL_AND_WAIT}, an op the interrupt cut short throws
     * {@link java.io.InterruptedIOException} whose {@code bytesTransferred} is what it did; {@code expected} is the
     * result of an op that ran to the end (a write's length, 0 for an fsync). When the wait ends without the op's
     * CQE (an {@link OnInterrupt#ABANDON abandoning} interrupt, a {@link dev.ringloom.poller.PollerDeadlockException})
     * the op and its buffer are the poller's registry's: the caller must not touch them.
     */
    int await(Op op, OnInterrupt onInterrupt, String syscall, int expected) throws IOException {
        return await(op, onInterrupt, syscall, this, expected, false);
    }

    /**
     * {@link #await(Op, OnInterrupt, String, int)} for an op whose buffer is lent by its caller (an owned buffer):
     * once the op completed, however, the buffer is taken back for the caller, never released; only an abandoned
     * op's goes to its owner, at the op's completion.
     */
    int awaitLent(Op op, OnInterrupt onInterrupt, String syscall, int expected) throws IOException {
        return await(op, onInterrupt, syscall, this, expected, true);
    }

    private int await(Op op, OnInterrupt onInterrupt, String syscall, Object target, int expected, boolean lent)
            throws IOException {
        int res = op.outcome(waitFor(op, onInterrupt));
        if (lent) {
            op.takeBuffer();
        }
        if (onInterrupt == OnInterrupt.CANCEL_AND_WAIT && Thread.currentThread().isInterrupted()
                && (res == -Errno.ECANCELED || (res >= 0 && res < expected))) {
            op.releaseBuffer();
            throw IoErrors.interrupted(syscall + "(" + target + ")", Math.max(res, 0));
        }
        if (res < 0) {
            op.releaseBuffer();
            throw failure(syscall, target, res, op);
        }
        return res;
    }

    /**
     * Step 4 alone, for a caller that reads the raw result itself: the op's CQE result. Throws only when the wait
     * ended without it — {@link java.io.InterruptedIOException} ({@link OnInterrupt#ABANDON}) or
     * {@link dev.ringloom.poller.PollerDeadlockException} — and then the op and its buffer are the registry's.
     */
    int waitFor(Op op, OnInterrupt onInterrupt) throws IOException {
        return onInterrupt == OnInterrupt.ABANDON ? op.await(poller) : op.awaitCancellingOnInterrupt(poller);
    }

    /**
     * A write's steps 4 to 6 ({@link OnInterrupt#CANCEL_AND_WAIT}): the bytes that went out, the op's buffer released
     * once the kernel is done with it. Cut short by an interrupt, the write still completed and its buffer was
     * released: the {@link java.io.InterruptedIOException} counts the bytes that went out, for the caller to advance
     * its buffers by.
     *
     * @param len the bytes the op writes
     */
    int awaitWritten(Op op, String syscall, int len) throws IOException {
        // PollerDeadlockException: the op and its buffer are the registry's, the facade refuses later writes
        int res = await(op, OnInterrupt.CANCEL_AND_WAIT, syscall, len);
        op.releaseBuffer();
        return res;
    }

    /** {@link #await(Op, OnInterrupt, String, int)} for an op whose every non-negative result is complete. */
    int await(Op op, OnInterrupt onInterrupt, String syscall) throws IOException {
        return await(op, onInterrupt, syscall, 0);
    }

    /**
     * Step 6: what a failed op's result means. A poller failure or a runtime close says so; a cancel by this
     * channel's close is an {@link AsynchronousCloseException} (the facade says "Socket closed" for sockets); a
     * linked timeout's cancel a {@link SocketTimeoutException}; anything else the errno, by name.
     */
    IOException failure(String syscall, int res, Op op) {
        return failure(syscall, this, res, op);
    }

    private IOException failure(String syscall, Object target, int res, Op op) {
        String call = syscall + "(" + target + ")";
        Throwable broken = poller.failure();
        if (broken != null) {
            return new IOException(call + ": its ringloom poller failed", broken);
        }
        if (res == -Errno.ECANCELED) {
            if (handle.isClosing()) {
                return new AsynchronousCloseException();
            }
            if (!poller.isOpen()) {
                return new IOException(call + ": the ringloom runtime was closed");
            }
            if (op != null && op.hasLinkTimeout()) {
                return new SocketTimeoutException(call + ": timed out");
            }
        }
        return socket ? SocketErrors.forErrno(call, res) : Errno.exception(call, res);
    }

    /** True if an ECANCELED result came from neither a close nor the runtime's end: an interrupt, or a timeout. */
    boolean cancelledByCaller(int res) {
        return res == -Errno.ECANCELED && !handle.isClosing() && poller.isOpen();
    }

    /** Closes the fd after draining its ops; called once per channel. Refused on the poller's own thread. */
    void close() throws IOException {
        poller.refuseOwnThread(handle);   // close waits for CQEs: refused before it begins
        Op cancel = new Op();       // allocated before close begins: an OutOfMemoryError must not strand the fd
        int others = handle.closeRetaining();
        if (others > 0) {
            // The cancel holds our reference, so the fd stays open (and its number ours) while the kernel
            // looks up the ops to cancel; the poller releases it at the cancel's CQE.
            OpEncoder.cancelAllOnFd(cancel, handle.fd()).fdHandle(handle);
            try {
                poller.submitDetached(cancel);
            } catch (IOException pollerClosed) {
                handle.release();                // the runtime's close cancels everything anyway
            }
        } else if (others == 0) {
            handle.release();
        }
        handle.awaitClosed(poller);
    }

    /** The channel's name: a file's path, or {@code "socket fd=7"}. */
    @Override
    public String toString() {
        return socket ? name + " fd=" + handle.fd() : name;
    }
}
