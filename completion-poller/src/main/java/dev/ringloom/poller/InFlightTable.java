package dev.ringloom.poller;

import dev.ringloom.poller.uring.UserData;

/**
 * The ops the kernel owns, keyed by the {@code user_data} of their SQE ({@link UserData#ofOp}: a slot and its
 * generation).
 *
 * <p>Poller-thread only. Holding the op here keeps it — and the native memory it points to — strongly reachable
 * until its CQE is reaped. The table grows; it never refuses an op.
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
        int gen = UserData.nextGeneration(generations[slot]);
        generations[slot] = gen;
        ops[slot] = op;
        size++;
        return UserData.ofOp(gen, slot);
    }

    /** Removes and returns the op for {@code key}, or null if the key is stale or unknown. */
    Op remove(long key) {
        int slot = UserData.slot(key);
        if (slot < 0 || slot >= ops.length || generations[slot] != UserData.generation(key)) {
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
        int slot = UserData.slot(key);
        if (slot < 0 || slot >= ops.length || generations[slot] != UserData.generation(key)) {
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
