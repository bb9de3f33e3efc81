package dev.ringloom.runtime;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.AsynchronousCloseException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The state ladder of a channel, open → closing → closed, in the manner of the JDK's {@code NioSocketImpl}: the one
 * thread that moves it out of open runs the close; every other call sees "not open" from that instant. Thread-safe.
 */
final class ChannelState {
    private static final int OPEN = 0, CLOSING = 1, CLOSED = 2;

    private final AtomicInteger state = new AtomicInteger(OPEN);

    boolean isOpen() {
        return state.get() == OPEN;
    }

    /** True for the one caller that moves the channel from open to closing; that caller must call {@link #closed}. */
    boolean beginClose() {
        return state.compareAndSet(OPEN, CLOSING);
    }

    /** The close finished (also when it failed: a channel is never reopened). */
    void closed() {
        state.set(CLOSED);
    }

    /**
     * What a call that failed with {@code e} reports: an asynchronous close if a close began meanwhile (the
     * backend's own error then says how the close showed, not why the call ended), else {@code e}. An interrupt
     * keeps its exception: its byte count is the caller's to know.
     */
    IOException closedDuring(IOException e) {
        if (isOpen() || e instanceof InterruptedIOException || e instanceof AsynchronousCloseException) {
            return e;
        }
        AsynchronousCloseException closed = new AsynchronousCloseException();
        closed.initCause(e);
        return closed;
    }

    @Override
    public String toString() {
        return switch (state.get()) {
            case OPEN -> "open";
            case CLOSING -> "closing";
            default -> "closed";
        };
    }
}
