package dev.ringloom.poller.uring;

import dev.ringloom.poller.sys.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * What the running kernel's io_uring offers: its release, {@code io_uring_params.features}, the set of supported
 * opcodes ({@code IORING_REGISTER_PROBE}) and the kernel's answers to the two cancel requests ringloom relies on.
 * Immutable; safe for any thread.
 *
 * <h2>The floor</h2>
 * {@link #missing()} names everything ringloom's io_uring backend uses that this kernel lacks; empty means it can
 * run. Besides NODROP and the opcodes, ringloom uses three things an opcode probe cannot see, all from 5.19:
 * multishot accept ({@code IORING_ACCEPT_MULTISHOT}), cancel by fd ({@code IORING_ASYNC_CANCEL_FD}, how a close
 * wakes blocked threads) and cancel-any ({@code IORING_ASYNC_CANCEL_ANY}, how a shutdown ends everything in
 * flight). A 5.10 or 5.15 kernel accepts the ring and then answers EINVAL to each: every accept would fail, a close
 * with a blocked reader would never wake it, and the runtime's close would hang. So the cancels are asked for real
 * at start — with nothing in flight a kernel that knows the flag answers ENOENT, one that does not answers
 * EINVAL — and multishot accept, which cannot be tried without a socket, is inferred from {@code IORING_OP_SOCKET},
 * the opcode the same release added.
 *
 * {@snippet lang=c :
 * struct io_uring_probe_op { __u8 op; __u8 resv; __u16 flags; __u32 resv2; };          // 8 bytes
 * struct io_uring_probe { __u8 last_op; __u8 ops_len; __u16 resv; __u32 resv2[3];     // 16 bytes
 *                         struct io_uring_probe_op ops[]; };
 * }
 *
 * @param cancelFdAnswer  the CQE res of an {@code ASYNC_CANCEL} with {@code IORING_ASYNC_CANCEL_FD} on an fd with
 *                        nothing in flight (-ENOENT where supported)
 * @param cancelAnyAnswer the same with {@code IORING_ASYNC_CANCEL_ANY} (0 where supported: it counts, like ALL)
 */
public record KernelFeatures(String kernelRelease, int features, int setupFlags, BitSet opcodes,
                             int cancelFdAnswer, int cancelAnyAnswer) {
    private static final int PROBE_HEADER = 16, PROBE_OP = 8, PROBE_OPS = 256;

    /** Opcodes without which ringloom's io_uring backend does not run. */
    public static final byte[] REQUIRED_OPCODES = {IoUringConstants.OP_NOP, IoUringConstants.OP_READ,
            IoUringConstants.OP_WRITE, IoUringConstants.OP_FSYNC, IoUringConstants.OP_ASYNC_CANCEL,
            IoUringConstants.OP_LINK_TIMEOUT, IoUringConstants.OP_OPENAT, IoUringConstants.OP_ACCEPT,
            IoUringConstants.OP_CONNECT, IoUringConstants.OP_SEND, IoUringConstants.OP_RECV};

    /** The kernel release ringloom's io_uring backend needs: everything {@link #missing()} checks is there. */
    public static final String FLOOR = "Linux 5.19";

    /**
     * Reads the features of {@code ring}'s kernel. Submits two cancel requests on the ring and waits for their
     * answers, so it must run on the thread that created the ring, before anything else is in flight.
     */
    public static KernelFeatures probe(IoUring ring) {
        BitSet ops = new BitSet();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment probe = arena.allocate(PROBE_HEADER + (long) PROBE_OP * PROBE_OPS);
            if (ring.register(IoUringConstants.REGISTER_PROBE, probe, PROBE_OPS) >= 0) {
                int len = Byte.toUnsignedInt(probe.get(JAVA_BYTE, 1));
                for (int i = 0; i < len; i++) {
                    long base = PROBE_HEADER + (long) PROBE_OP * i;
                    if ((probe.get(JAVA_SHORT, base + 2) & IoUringConstants.IO_URING_OP_SUPPORTED) != 0) {
                        ops.set(Byte.toUnsignedInt(probe.get(JAVA_BYTE, base)));
                    }
                }
            }
        }
        // The ring's own fd is a valid fd with nothing in flight on it.
        int cancelFd = askCancel(ring, IoUringConstants.ASYNC_CANCEL_FD);
        int cancelAny = askCancel(ring, IoUringConstants.ASYNC_CANCEL_ANY);
        return new KernelFeatures(System.getProperty("os.version"), ring.features(), ring.setupFlags(), ops,
                cancelFd, cancelAny);
    }

    /** One ASYNC_CANCEL with {@code flags}, submitted and reaped right here; returns its CQE's res. */
    private static int askCancel(IoUring ring, int flags) {
        SubmissionQueue sq = ring.sq();
        if (sq.space() == 0) {
            return -Errno.EBUSY;
        }
        sq.add(IoUringConstants.OP_ASYNC_CANCEL, (byte) 0, ring.fd(), 0, 0, 0, flags, UserData.PROBE, (short) 0);
        int toSubmit = sq.flush();
        int[] answer = {Integer.MIN_VALUE};
        while (answer[0] == Integer.MIN_VALUE) {
            int r = ring.enter(toSubmit, 1, IoUringConstants.ENTER_GETEVENTS);
            if (r < 0 && r != -Errno.EINTR) {
                return r;
            }
            if (r > 0) {
                toSubmit = 0;
            }
            ring.cq().reap((userData, res, cqeFlags) -> {
                if (userData == UserData.PROBE) {
                    answer[0] = res;
                }
            });
        }
        return answer[0];
    }

    public boolean supports(int opcode) {
        return opcodes.get(opcode);
    }

    public boolean has(int featureFlag) {
        return (features & featureFlag) != 0;
    }

    /** Names of the required opcodes this kernel lacks. */
    public List<String> missingOpcodes() {
        List<String> missing = new ArrayList<>();
        for (byte op : REQUIRED_OPCODES) {
            if (!supports(op)) {
                missing.add(IoUringConstants.opName(op));
            }
        }
        return missing;
    }

    /**
     * Everything ringloom uses that this kernel lacks, each named with what needs it; empty when the io_uring
     * backend can run.
     */
    public List<String> missing() {
        List<String> missing = new ArrayList<>();
        if (!has(IoUringConstants.FEAT_NODROP)) {
            missing.add("IORING_FEAT_NODROP (5.5: no completion is dropped when the CQ is full)");
        }
        for (String op : missingOpcodes()) {
            missing.add("IORING_OP_" + op);
        }
        if (!supports(IoUringConstants.OP_SOCKET)) {
            missing.add("multishot accept (5.19, with IORING_OP_SOCKET)");
        }
        if (!cancelFlagUnderstood(cancelFdAnswer)) {
            missing.add("IORING_ASYNC_CANCEL_FD (5.19: close wakes blocked threads; answered "
                    + Errno.name(cancelFdAnswer) + ")");
        }
        if (!cancelFlagUnderstood(cancelAnyAnswer)) {
            missing.add("IORING_ASYNC_CANCEL_ANY (5.19: shutdown cancels all in flight; answered "
                    + Errno.name(cancelAnyAnswer) + ")");
        }
        return missing;
    }

    /** With nothing to cancel, a kernel that knows the flag finds nothing (ENOENT, or 0 with ALL). */
    private static boolean cancelFlagUnderstood(int answer) {
        return answer == -Errno.ENOENT || answer >= 0;
    }

    @Override
    public String toString() {
        return "kernel " + kernelRelease + ", io_uring features 0x" + Integer.toHexString(features)
                + ", setup flags 0x" + Integer.toHexString(setupFlags) + ", " + opcodes.cardinality() + " opcodes";
    }
}
