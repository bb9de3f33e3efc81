package dev.ringloom.io;

import dev.ringloom.runtime.Ringloom;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;

/**
 * A {@link java.net.Socket} whose IO is ringloom's: code and libraries written against {@code java.net.Socket} run
 * on io_uring (or on the JDK's IO where ringloom falls back) unchanged. Obtain one with {@code new}, or from a
 * {@link RingSocketFactory} for libraries that take a {@link javax.net.SocketFactory}.
 *
 * <p>{@code java.net.Socket} itself keeps the state and argument rules (connected, bound, closed, shut down, the
 * exceptions and their messages); ringloom does the IO. Every standard option works, TLS layers over it with
 * {@link javax.net.ssl.SSLSocketFactory#createSocket(Socket, String, int, boolean)}, and {@link #close()} from
 * another thread wakes a blocked reader with {@code SocketException("Socket closed")}.
 *
 * <h2>Where it differs from the JDK's socket, on purpose</h2>
 * <ul>
 *   <li>An interrupted virtual thread blocked in a read or a write gets {@link java.io.InterruptedIOException}
 *       and the socket <em>stays open</em>: a read consumed nothing and loses nothing, a write's
 *       {@code bytesTransferred} says exactly what went out. The JDK closes the socket instead ("Closed by
 *       interrupt").</li>
 *   <li>The input stream is buffered already (it reads through the socket's {@link dev.ringloom.runtime.RingReader}
 *       from the memory the kernel received into): a {@code BufferedInputStream} around it only adds a copy.</li>
 *   <li>Options set before {@code connect} take effect right after it (the connect creates the descriptor), and
 *       {@link #bind} before {@code connect} is refused; urgent data ({@code sendUrgentData},
 *       {@code SO_OOBINLINE}) is not supported.</li>
 * </ul>
 * All of them are listed, with the tests that pin every other behaviour to the JDK's, in {@code SocketContractTest}.
 *
 * <p>Thread-safe, as {@code java.net.Socket} is: one reader and one writer at a time, others take turns.
 */
public class RingloomSocket extends Socket {
    private final RingSocketImpl impl;

    /** An unconnected socket on the {@linkplain Ringloom#shared() shared runtime}. */
    public RingloomSocket() throws IOException {
        this(Ringloom.shared());
    }

    /** An unconnected socket on {@code ring}. */
    public RingloomSocket(Ringloom ring) throws SocketException {
        this(new RingSocketImpl(ring, false));
    }

    /** A socket on the shared runtime, connected to {@code host:port}. */
    public RingloomSocket(String host, int port) throws IOException {
        this();
        connect(host != null ? new InetSocketAddress(host, port)
                : new InetSocketAddress(InetAddress.getByName(null), port));
    }

    /** A socket on the shared runtime, connected to {@code address:port}. */
    public RingloomSocket(InetAddress address, int port) throws IOException {
        this();
        connect(new InetSocketAddress(address, port));
    }

    RingloomSocket(RingSocketImpl impl) throws SocketException {
        super(impl);
        this.impl = impl;
        impl.closedWith(this::close);   // a stream's close closes this Socket, as java.net's streams do
    }

    /**
     * The socket's input, read through its {@link dev.ringloom.runtime.RingReader} (see the class comment for how
     * an interrupt differs from the JDK's).
     *
     * @throws SocketException if the socket is closed, not connected, or its input shut down
     */
    @Override
    public InputStream getInputStream() throws IOException {
        ensureStreamable(isInputShutdown(), "Socket input is shutdown");
        return impl.getInputStream();
    }

    /**
     * The socket's output (see the class comment for how an interrupt differs from the JDK's).
     *
     * @throws SocketException if the socket is closed, not connected, or its output shut down
     */
    @Override
    public OutputStream getOutputStream() throws IOException {
        ensureStreamable(isOutputShutdown(), "Socket output is shutdown");
        return impl.getOutputStream();
    }

    /**
     * A builder of virtual threads scheduled on the poller that serves this connection
     * ({@link Ringloom#ofVirtual(dev.ringloom.runtime.RingSocket)}): the thread that serves the connection, started
     * with it, is woken by the poller's own loop instead of through the JDK's scheduler from another OS thread —
     * the hand-off that a connection's every blocking read pays otherwise ({@code RoundTripBenchmark} measures
     * both). Its rules and fallback are {@code Ringloom.ofVirtual}'s.
     *
     * @throws SocketException if the socket is not connected or closed
     */
    public Thread.Builder.OfVirtual threadBuilder() throws SocketException {
        return impl.ring().ofVirtual(impl.socket());
    }

    /** java.net.Socket's checks before it hands out a stream, with its messages. */
    private void ensureStreamable(boolean shutDown, String shutDownMessage) throws SocketException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        if (!isConnected()) {
            throw new SocketException("Socket is not connected");
        }
        if (shutDown) {
            throw new SocketException(shutDownMessage);
        }
    }
}
