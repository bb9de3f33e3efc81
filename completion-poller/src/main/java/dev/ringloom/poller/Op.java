package dev.ringloom.poller;

import dev.ringloom.poller.spi.Completion;
import dev.ringloom.poller.sys.Errno;
import dev.ringloom.poller.uring.IoUringConstants;

import java.lang.foreign.MemorySegment;

/**
 * One kernel operation: the fields of its SQE, the native memory the kernel may touch, and the CQE's flags. Its
 * waiting, abandon and take-back are {@link Completion}'s, the state machine both backends share; the poller is
 * its {@link dev.ringloom.poller.spi.Completer}.
 *
 * <h2>Ownership</h2>
 * An op has exactly one owner at a time:
 * <ol>
 *   <li>the <b>submitter</b> fills it ({@link #prepare}) and hands it to {@link Poller#submit};</li>
 *   <li>the <b>kernel</b> owns it (and {@link #buffer()}) from then until its CQE is reaped, even if the
 *       submit syscall fails or the poller shuts down; the poller's {@link InFlightTable} holds it strongly;</li>
 *   <li>then the <b>waiter</b> gets it back from {@code await} with the result; or, if the waiter left
 *       ({@link #abandon()}: interrupt, timeout, close), the poller's {@link BufferRegistry} holds it and
 *       releases its buffer when the CQE arrives — never earlier, and never on the CQE of the cancel.</li>
 * </ol>
 * A {@link #retainOnAbandon() retaining} op, used for stream reads whose bytes must not be lost, keeps its buffer
 * when abandoned, for the stream's next reader to {@link #reclaim()}. An op is reusable ({@link #prepare} again)
 * only if {@link #isReusable()}.
 */
public class Op extends Completion {

    // SQE fields: written by the submitter before submit, read by the poller after the queue hand-off.
    byte opcode;
    byte sqeFlags;
    short ioprio;
    int fd;
    long off;
    long addr;
    int len;
    int opFlags;
    short bufIndex;
    long linkTimeoutNanos;                 // > 0: the kernel cancels the op after this long (IORING_OP_LINK_TIMEOUT)
    boolean reachesDevice;                 // a block-device request whatever the page cache holds: see PlugLimit

    private MemorySegment buffer;          // native memory the kernel may touch; may be null
    private BufferOwner bufferOwner;       // where buffer goes back; null: caller manages it
    private FdHandle fdHandle;             // reference released when the kernel is done with the fd
    private boolean retainOnAbandon;
    boolean multishot;                     // read by the poller: more than one CQE, see onMultishotCqe

    private int cqeFlags;                  // published with the result by Completion's release store of the state

    // Poller-private: 0 before submission, the in-flight key while the kernel owns it, -1 after its CQE.
    long userData;
    int registryIndex = -1;
    int activityWindow;                    // the last RecentActivity window that counted this op

    /**
     * Fills the SQE fields. The op must be idle or done; any buffer it held must have been taken back.
     *
     * @return this
     */
    public final Op prepare(byte opcode, int fd, long off, long addr, int len, int opFlags) {
        reset();                           // throws if the kernel may still own it
        this.opcode = opcode;
        this.sqeFlags = 0;
        this.ioprio = 0;
        this.fd = fd;
        this.off = off;
        this.addr = addr;
        this.len = len;
        this.opFlags = opFlags;
        this.bufIndex = 0;
        this.linkTimeoutNanos = 0;
        this.reachesDevice = false;
        this.fdHandle = null;
        this.retainOnAbandon = false;
        this.multishot = false;
        this.userData = 0;
        this.cqeFlags = 0;
        return this;
    }

    /**
     * Lets the kernel cancel the op if it has not completed after {@code nanos} (a linked
     * {@code IORING_OP_LINK_TIMEOUT}): the op then completes with ECANCELED. An op that moved data completes
     * with its data instead, so a timeout never loses bytes. {@code 0} means no timeout.
     */
    public final Op linkTimeout(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("negative timeout: " + nanos);
        }
        this.linkTimeoutNanos = nanos;
        return this;
    }

    /** True if the op carries a linked timeout. */
    public final boolean hasLinkTimeout() {
        return linkTimeoutNanos > 0;
    }

    /**
     * Says whether this read or write becomes a block-device request whatever the page cache holds (O_DIRECT, or a
     * read the cache was already asked for): the poller then gives it an {@code io_uring_enter} of its own when
     * others are due in the same pass ({@link PollerConfig#deviceOpsPerEnter()}).
     */
    public final Op reachesDevice(boolean value) {
        this.reachesDevice = value;
        return this;
    }

    /** Sets the SQE's {@code ioprio}, which recv, send and accept read as flags (e.g. RECVSEND_POLL_FIRST). */
    public final Op ioprio(short value) {
        this.ioprio = value;
        return this;
    }

    /**
     * Lets the kernel pick the buffer from provided-buffer group {@code group} ({@code IOSQE_BUFFER_SELECT});
     * each CQE then names the buffer it filled.
     */
    public final Op bufferGroup(short group) {
        this.sqeFlags |= IoUringConstants.IOSQE_BUFFER_SELECT;
        this.bufIndex = group;
        return this;
    }

    /** Names the registered buffer a fixed read or write uses ({@code sqe->buf_index}). */
    public final Op bufferIndex(int index) {
        this.bufIndex = (short) index;
        return this;
    }

    /** Sets IOSQE_* flags. */
    public final Op sqeFlags(byte flags) {
        this.sqeFlags = flags;
        return this;
    }

    /**
     * Attaches the native memory this op lends to the kernel. If the waiter abandons the op, the memory
     * goes back to {@code owner} after the CQE. A null owner means the memory outlives every op that uses
     * it (for example the poller's own wake-up buffer).
     */
    public final Op buffer(MemorySegment buffer, BufferOwner owner) {
        this.buffer = buffer;
        this.bufferOwner = owner;
        return this;
    }

    /** The fd reference this op holds; released by the poller once the op's CQE is reaped. */
    public final Op fdHandle(FdHandle handle) {
        this.fdHandle = handle;
        return this;
    }

    /**
     * Marks the op as a stream read whose bytes must survive an abandoned wait: its buffer is not released
     * at the CQE but kept for {@link #reclaim()} by the stream's next reader (or its close).
     */
    public final Op retainOnAbandon() {
        this.retainOnAbandon = true;
        return this;
    }

    /**
     * Marks a multishot op (multishot accept, for example): the kernel posts a CQE per event, each handed to
     * {@link #onMultishotCqe} on the poller thread; the last one (without IORING_CQE_F_MORE) also completes
     * the op as usual.
     */
    public final Op multishot() {
        this.multishot = true;
        return this;
    }

    /**
     * Called on the poller thread for every CQE of a {@link #multishot()} op, the final one included (before
     * the op completes). Must not block.
     */
    protected void onMultishotCqe(int res, int flags) {
    }

    public final MemorySegment buffer() {
        return buffer;
    }

    /** Takes the buffer back from a done op; the caller now owns it. */
    public final MemorySegment takeBuffer() {
        MemorySegment b = buffer;
        buffer = null;
        return b;
    }

    public final BufferOwner bufferOwner() {
        return bufferOwner;
    }

    public final int opcode() {
        return opcode;
    }

    public final int fd() {
        return fd;
    }

    public final int cqeFlags() {
        return cqeFlags;
    }

    final boolean retains() {
        return retainOnAbandon;
    }

    final void armWaiter(Thread t) {
        arm(t);
    }

    final FdHandle takeFdHandle() {
        FdHandle h = fdHandle;
        fdHandle = null;
        return h;
    }

    /** Poller side: true if the waiter left; the op then goes to the registry, or never to the kernel. */
    final boolean isAbandoned() {
        return state() == ABANDONED;
    }

    /**
     * Poller side: publishes the CQE. Returns false if the waiter had abandoned the op, in which case the caller
     * (the poller) disposes of it.
     */
    final boolean complete(int res, int flags) {
        this.cqeFlags = flags;             // before the result's release store
        return complete(res);
    }

    /**
     * What the op did, given its final CQE's result: that result, for all but ops whose final CQE only says the
     * kernel is done with their memory (a zero-copy send's notification), which keep the earlier one.
     */
    public int outcome(int finalResult) {
        return finalResult;
    }

    @Override
    protected final String describe() {
        return IoUringConstants.opName(opcode) + "(fd=" + fd + ")";
    }

    /** Poller side: gives an abandoned op's memory back after its CQE, unless a reader will reclaim it. */
    final void disposeAbandoned() {
        if (retainOnAbandon) {
            return;
        }
        releaseBuffer();
        onAbandonedCompletion(result());
    }

    /**
     * Called on the poller thread when an abandoned op completed: whatever the op produced belongs to nobody
     * else now (an accepted or opened fd must be closed, for example). Must not block.
     */
    protected void onAbandonedCompletion(int res) {
    }

    /**
     * Poller side, when the poller dies: the kernel may still write the buffer, so it is dropped here and never
     * freed or reused (a deliberate leak, the only safe choice).
     */
    final void leakBuffer() {
        buffer = null;
        bufferOwner = null;
        retainOnAbandon = true;   // nothing to release later either
    }

    /** Returns the buffer to its owner, if any. */
    public final void releaseBuffer() {
        MemorySegment b = buffer;
        if (b != null) {
            buffer = null;
            if (bufferOwner != null) {
                bufferOwner.release(b);
            }
        }
    }

    @Override
    public String toString() {
        return IoUringConstants.opName(opcode) + "(fd=" + fd + ", len=" + len + ", off=" + off + ") " + stateName()
                + (isDone() ? " res=" + (result() < 0 ? Errno.name(result()) : Integer.toString(result())) : "");
    }
}
