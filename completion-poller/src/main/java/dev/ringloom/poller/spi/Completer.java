package dev.ringloom.poller.spi;

import dev.ringloom.poller.PollerDeadlockException;

/**
 * What completes a backend's {@link Completion}s — an io_uring poller, the JDK backend's helper threads — as seen by
 * a thread that waits for one: it brackets each park (so a wait that could never end is refused rather than hung)
 * and takes cancel requests. Implementations are thread-safe and never block in these calls.
 */
public interface Completer {
    /**
     * Called before a waiter first parks for a completion.
     *
     * @param what names the wait in an exception; its {@code toString()} runs only when thrown
     * @return a mark for {@link #afterPark} and {@link #afterWait}
     * @throws PollerDeadlockException if the park could never end (it is the completer's own thread)
     */
    long beforePark(Object what) throws PollerDeadlockException;

    /**
     * Called each time a park returned and the waiter still waits.
     *
     * @throws PollerDeadlockException if the waiter learns that its park can never end
     */
    void afterPark(long mark, Object what) throws PollerDeadlockException;

    /** Called once the wait that {@link #beforePark} began is over, however it ended. */
    void afterWait(long mark);

    /**
     * Asks that {@code c}, which this completer will complete, end early: the request may lose the race with the
     * completion, which still arrives either way. Never blocks.
     */
    void cancel(Completion c);

    /** A completer whose waits need no guard and whose work cannot be cancelled (the JDK's blocking calls). */
    Completer UNGUARDED = new Completer() {
        @Override
        public long beforePark(Object what) {
            return -1;
        }

        @Override
        public void afterPark(long mark, Object what) {
        }

        @Override
        public void afterWait(long mark) {
        }

        @Override
        public void cancel(Completion c) {
        }
    };
}
