package dev.ringloom.runtime;

import java.io.IOException;

/**
 * Refuses a stream's writes once one was abandoned without its outcome: after a write whose wait could not go on
 * ({@link dev.ringloom.poller.PollerDeadlockException}), how many of its bytes went out is not known and the op may
 * still be in flight, so a later write would either overtake it or write its bytes again. PITFALLS 10: refuse rather
 * than guess. Thread-safe; writers read it once per write.
 */
final class WriteGate {
    private final String target;                // "the file", "the socket": what the message tells the user to close
    private volatile IOException unknownOutcome;

    WriteGate(String target) {
        this.target = target;
    }

    /**
     * Throws if an earlier write's outcome is unknown. {@code channel} names the channel in the message; it is an
     * Object so that the hot path never builds the name (its {@code toString()} runs only when refusing).
     */
    void check(Object channel) throws IOException {
        IOException unknown = unknownOutcome;
        if (unknown != null) {
            throw new IOException("write(" + channel + "): refused: an earlier write was abandoned without knowing how"
                    + " much of it was written (" + unknown.getMessage() + "); close " + target, unknown);
        }
    }

    /** From now on every write is refused, saying why. */
    void shut(IOException why) {
        unknownOutcome = why;
    }
}
