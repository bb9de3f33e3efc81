package dev.ringloom.poller;

import java.io.IOException;

/**
 * A wait that could never end: the thread would park on the very OS thread of the poller that must complete its
 * op — a task given to {@link Poller#execute} that blocks, or a virtual thread scheduled on the poller that waits
 * while pinned (inside a class initializer, under a native frame), so it cannot unmount. Thrown instead of the
 * deadlock: the op is cancelled and abandoned like on interrupt, and nothing of it is lost, but what it would have
 * done is not known. For a write that means how many of its bytes went out: the socket or file refuses further
 * writes from then on, rather than let a later one resend or overtake them; close it.
 */
public final class PollerDeadlockException extends IOException {
    private static final long serialVersionUID = 1L;

    public PollerDeadlockException(String message) {
        super(message);
    }
}
