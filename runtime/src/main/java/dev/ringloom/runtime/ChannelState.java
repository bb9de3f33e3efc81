package dev.ringloom.runtime;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The state ladder of a channel, open → closing → closed, in the manner of the JDK's {@code NioSocketImpl}: the one
 * thread that moves it out of open runs the close; every other call sees "not open" from that instant. A closed
 * channel says so the way its JDK twin does: a file with {@link ClosedChannelException} (an
 * {@link AsynchronousCloseException} for a call the close overtook), a socket with
 * {@code SocketException("Socket closed")}. Thread-safe.
 */
final class ChannelState {
    private static final int OPEN = 0, CLOSING = 1, CLOSED = 2;
    private static final String SOCKET_CLOSED = "Socket closed";

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(ChannelState.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile int state = OPEN;     // a field, not an AtomicInteger: one object fewer per connection
    private final boolean socket;

    private ChannelState(boolean socket) {
        this.socket = socket;
    }

    static ChannelState ofFile() {
        return new ChannelState(false);
    }

    static ChannelState ofSocket() {
        return new ChannelState(true);
    }

    boolean isOpen() {
        return state == OPEN;
    }

    /** The check at the start of every call but close. */
    void ensureOpen() throws IOException {
        if (state != OPEN) {
            throw socket ? new SocketException(SOCKET_CLOSED) : new ClosedChannelException();
        }
    }

    /**
     * Runs the channel's close once, for the caller that moves it out of open; every other caller returns at once.
     * The channel is closed afterwards also when the close failed: a channel is never reopened.
     */
    void close(Closeable backendClose) throws IOException {
        if (!STATE.compareAndSet(this, OPEN, CLOSING)) {
            return;
        }
        try {
            backendClose.close();
        } finally {
            state = CLOSED;
        }
    }

    /** A backend call the channel's state rules bracket: {@link #ensureOpen} before, {@link #closedDuring} after. */
    interface Call<T> {
        T run() throws IOException;
    }

    /** A backend call without a result. */
    interface Action {
        void run() throws IOException;
    }

    /** Like {@link #guarded(Call)} for a call without a result. */
    void guarded(Action action) throws IOException {
        ensureOpen();
        try {
            action.run();
        } catch (IOException e) {
            throw closedDuring(e);
        }
    }

    /** Runs {@code call} on an open channel, reporting a close that overtook it as the JDK twin does. */
    <T> T guarded(Call<T> call) throws IOException {
        ensureOpen();
        try {
            return call.run();
        } catch (IOException e) {
            throw closedDuring(e);
        }
    }

    /**
     * What a call that failed with {@code e} reports: an asynchronous close if a close began meanwhile (the
     * backend's own error then says how the close showed, not why the call ended), else {@code e}. An interrupt
     * keeps its exception: its byte count is the caller's to know.
     */
    IOException closedDuring(IOException e) {
        if (isOpen() || e instanceof InterruptedIOException) {
            return e;
        }
        if (socket) {
            if (e instanceof SocketException && SOCKET_CLOSED.equals(e.getMessage())) {
                return e;
            }
            SocketException closed = new SocketException(SOCKET_CLOSED);
            closed.initCause(e);
            return closed;
        }
        if (e instanceof AsynchronousCloseException) {
            return e;
        }
        AsynchronousCloseException closed = new AsynchronousCloseException();
        closed.initCause(e);
        return closed;
    }

    @Override
    public String toString() {
        return switch (state) {
            case OPEN -> "open";
            case CLOSING -> "closing";
            default -> "closed";
        };
    }
}
