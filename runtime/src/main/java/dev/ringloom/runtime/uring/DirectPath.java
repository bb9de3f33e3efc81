package dev.ringloom.runtime.uring;

import dev.ringloom.poller.Poller;

import java.util.Locale;

/**
 * Where a socket's send or read goes first: straight to the socket from the caller's thread ({@code send(2)} /
 * {@code recv(2)} with {@code MSG_DONTWAIT}), or into its poller's ring. Chosen per process, for sends with
 * {@code -Dringloom.directSends} and for reads with {@code -Dringloom.directReads}, each
 * {@code off-poller|always|never}. Immutable.
 *
 * <p>Why the default, {@link #OFF_POLLER}: a thread scheduled on its socket's poller runs on the thread that enters
 * the ring anyway, so its SEND costs no syscall of its own — the poller submits every send its threads queued in
 * one pass with one {@code io_uring_enter}, which also reaps their completions — and its reads come from the
 * multishot recv's queue at no cost beyond the poller's own pass, while a direct call is a syscall each. A thread
 * on any other scheduler pays a cross-thread hand-off to the poller and a wake-up back for every op that waits
 * (BENCHMARKS.md, issue 20): there the direct call wins whenever the socket can take or give bytes at once, and
 * the ring is its fallback when it cannot.
 */
enum DirectPath {
    /** Direct calls, except for threads mounted on the socket's own poller, which go through its ring. */
    OFF_POLLER,
    /** Every call tries the direct syscall first. */
    ALWAYS,
    /** Every call goes through the ring. */
    NEVER;

    /** The policy {@code -Dproperty} names; {@link #OFF_POLLER} when unset. */
    static DirectPath fromProperty(String property) {
        String v = System.getProperty(property, "off-poller");
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "off-poller" -> OFF_POLLER;
            case "always" -> ALWAYS;
            case "never" -> NEVER;
            default -> throw new IllegalArgumentException("-D" + property + "=" + v
                    + ": off-poller, always or never");
        };
    }

    /** True if a call by the calling thread on a socket served by {@code poller} first tries the direct syscall. */
    boolean direct(Poller poller) {
        return switch (this) {
            case OFF_POLLER -> !poller.runsCurrentThread();
            case ALWAYS -> true;
            case NEVER -> false;
        };
    }
}
