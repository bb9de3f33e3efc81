package dev.ringloom.poller.uring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * What the running kernel's io_uring offers: its release, {@code io_uring_params.features} and the set of
 * supported opcodes ({@code IORING_REGISTER_PROBE}). Immutable; safe for any thread.
 *
 * {@snippet lang=c :
 * struct io_uring_probe_op { __u8 op; __u8 resv; __u16 flags; __u32 resv2; };          // 8 bytes
 * struct io_uring_probe { __u8 last_op; __u8 ops_len; __u16 resv; __u32 resv2[3];     // 16 bytes
 *                         struct io_uring_probe_op ops[]; };
 * }
 */
public record KernelFeatures(String kernelRelease, int features, int setupFlags, BitSet opcodes) {
    private static final int PROBE_HEADER = 16, PROBE_OP = 8, PROBE_OPS = 256;

    /** Opcodes without which ringloom's io_uring backend does not run. */
    public static final byte[] REQUIRED_OPCODES = {IoUringConstants.OP_NOP, IoUringConstants.OP_READ,
            IoUringConstants.OP_WRITE, IoUringConstants.OP_FSYNC, IoUringConstants.OP_ASYNC_CANCEL};

    /** Reads the features of {@code ring}'s kernel. */
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
        return new KernelFeatures(System.getProperty("os.version"), ring.features(), ring.setupFlags(), ops);
    }

    public boolean supports(int opcode) {
        return opcodes.get(opcode);
    }

    public boolean has(int featureFlag) {
        return (features & featureFlag) != 0;
    }

    /** Names of the required opcodes this kernel lacks; empty when ringloom can run. */
    public List<String> missingOpcodes() {
        List<String> missing = new ArrayList<>();
        for (byte op : REQUIRED_OPCODES) {
            if (!supports(op)) {
                missing.add(IoUringConstants.opName(op));
            }
        }
        return missing;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("kernel ").append(kernelRelease).append(", io_uring features 0x")
                .append(Integer.toHexString(features)).append(", setup flags 0x").append(Integer.toHexString(setupFlags))
                .append(", ").append(opcodes.cardinality()).append(" opcodes");
        return sb.toString();
    }
}
