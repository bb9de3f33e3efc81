package dev.ringloom.poller.uring;

/**
 * ringloom's one packing of an SQE's {@code user_data}, the 64 bits the kernel hands back in the SQE's CQE.
 *
 * {@snippet lang=text :
 *   bit 63    | bits 62..32  | bits 31..0
 *   0         | generation   | slot        an op of the poller's in-flight table (generation >= 1: never 0)
 *   1         | 0            | kind        the poller's own SQEs: WAKE, CANCEL, LINK_TIMEOUT, PROBE
 * }
 *
 * A slot is reused after its op's CQE, with the next generation, so a late CQE or a cancel aimed at an older op
 * never finds the newer one: the reason ringloom never keys anything by fd (PITFALLS 3). Internal keys are
 * negative as {@code long}s, op keys positive. Stateless.
 */
public final class UserData {
    /** Bit 63: the poller's own SQEs; op keys never have it. */
    public static final long INTERNAL = 1L << 63;
    /** The poller's armed read of its wake-up eventfd. */
    public static final long WAKE = INTERNAL | 1;
    /** A cancel request (its CQE says nothing the target's own CQE will not). */
    public static final long CANCEL = INTERNAL | 2;
    /** The linked timeout of an op with a deadline. */
    public static final long LINK_TIMEOUT = INTERNAL | 3;
    /** A request the kernel probe submits before the poller runs. */
    public static final long PROBE = INTERNAL | 4;
    /** Generations wrap within 31 bits and skip 0, so an op key is never 0 and never internal. */
    public static final int MAX_GENERATION = 0x7FFF_FFFF;

    private UserData() {
    }

    /** The key of the op in {@code slot} at {@code generation} (1 .. {@link #MAX_GENERATION}). */
    public static long ofOp(int generation, int slot) {
        return ((long) generation << 32) | Integer.toUnsignedLong(slot);
    }

    public static int slot(long key) {
        return (int) key;
    }

    public static int generation(long key) {
        return (int) (key >>> 32);
    }

    /** The generation after {@code generation}: wraps to 1, never 0. */
    public static int nextGeneration(int generation) {
        int next = (generation + 1) & MAX_GENERATION;
        return next == 0 ? 1 : next;
    }

    /** True for the poller's own SQEs. */
    public static boolean isInternal(long userData) {
        return userData < 0;
    }
}
