package dev.ringloom.runtime.uring;

import dev.ringloom.poller.Poller;

import java.util.Locale;

/**
 * Where a socket's send goes first: straight into the socket buffer from the writer's thread ({@code send(2)} with
 * {@code MSG_DONTWAIT}), or into its poller's ring as a SEND SQE that the poller submits with the rest of its pass.
 * Chosen per process with {@code -Dringloom.directSends=off-poller|always|never}. Immutable.
 *
 * <p>Why the default, {@link #OFF_POLLER}: a writer scheduled on its socket's poller runs on the thread that enters
 * the ring anyway, so its SEND costs no syscall of its own — the poller submits every send its threads queued in
 * one pass with one {@code io_uring_enter}, which also reaps their completions — while a direct send is a syscall
 * per write. A writer on any other thread would pay a cross-thread hand-off to the poller and a wake-up back; there
 * the direct send wins, and the ring is only its fallback when the socket buffer is full (BENCHMARKS.md, issue 20).
 */
enum SendPath {
    /** Direct sends, except for threads mounted on the socket's own poller, whose sends go through its ring. */
    OFF_POLLER,
    /** Every send tries the direct call first (the behaviour before issue 20). */
    ALWAYS,
    /** Every send goes through the ring. */
    NEVER;

    static SendPath fromProperty() {
        String v = System.getProperty("ringloom.directSends", "off-poller");
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "off-poller" -> OFF_POLLER;
            case "always" -> ALWAYS;
            case "never" -> NEVER;
            default -> throw new IllegalArgumentException("-Dringloom.directSends=" + v
                    + ": off-poller, always or never");
        };
    }

    /** True if a send by the calling thread on a socket served by {@code poller} first tries the direct call. */
    boolean direct(Poller poller) {
        return switch (this) {
            case OFF_POLLER -> !poller.runsCurrentThread();
            case ALWAYS -> true;
            case NEVER -> false;
        };
    }
}
