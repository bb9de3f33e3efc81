package dev.ringloom.poller;

/**
 * The ops the kernel owns, keyed by the {@code user_data} of their SQE.
 *
 * <p>Poller-thread only. A key is {@code generation << 32 | slot}: a slot is reused after its CQE, but
 * with a new generation, so a late CQE or a cancel aimed at an older op never finds the newer one (the
 * reason ringloom never keys by fd). Holding the op here keeps it — and the native memory it points to —
 * strongly reachable until its CQE is reaped. The table grows; it never refuses an op. Keys are never 0
 * and never have bit 63 set (reserved for the poller's own SQEs).
 */
final class InFlightTable {
    private Op[] ops;
    private int[] generations;
    private int[] free;     // stack of free slots
    private int freeTop;
    private int size;

    InFlightTable(int initialCapacity) {
        int cap = Math.max(16, Integer.highestOneBit(initialCapacity - 1) << 1);
        ops = new Op[cap];
        generations = new int[cap];
        free = new int[cap];
        for (int i = 0; i < cap; i++) {
            free[i] = cap - 1 - i;
        }
        freeTop = cap;
    }

    /** Stores {@code op} and returns its key. */
    long add(Op op) {
        if (freeTop == 0) {
            grow();
        }
        int slot = free[--freeTop];
        int gen = (generations[slot] + 1) & 0x7FFF_FFFF;
        if (gen == 0) {
            gen = 1;
        }
        generations[slot] = gen;
        ops[slot] = op;
        size++;
        return ((long) gen << 32) | slot;
    }

    /** Removes and returns the op for {@code key}, or null if the key is stale or unknown. */
    Op remove(long key) {
        int slot = (int) key;
        if (slot < 0 || slot >= ops.length || generations[slot] != (int) (key >>> 32)) {
            return null;
        }
        Op op = ops[slot];
        if (op == null) {
            return null;
        }
        ops[slot] = null;
        free[freeTop++] = slot;
        size--;
        return op;
    }

    /** The op for {@code key} without removing it, or null. */
    Op get(long key) {
        int slot = (int) key;
        if (slot < 0 || slot >= ops.length || generations[slot] != (int) (key >>> 32)) {
            return null;
        }
        return ops[slot];
    }

    int size() {
        return size;
    }

    /** Every op in the table, in slot order (for a poller that must give up on all of them). */
    java.util.List<Op> snapshot() {
        java.util.List<Op> all = new java.util.ArrayList<>(size);
        for (Op op : ops) {
            if (op != null) {
                all.add(op);
            }
        }
        return all;
    }

    private void grow() {
        int old = ops.length;
        int cap = old << 1;
        ops = java.util.Arrays.copyOf(ops, cap);
        generations = java.util.Arrays.copyOf(generations, cap);
        free = java.util.Arrays.copyOf(free, cap);
        for (int i = cap - 1; i >= old; i--) {
            free[freeTop++] = i;
        }
    }
}
