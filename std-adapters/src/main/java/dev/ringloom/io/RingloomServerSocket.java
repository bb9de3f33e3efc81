package dev.ringloom.io;

import dev.ringloom.runtime.Ringloom;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;

/**
 * A {@link java.net.ServerSocket} whose accepts are ringloom's and whose accepted sockets are
 * {@link RingloomSocket}s. {@code java.net.ServerSocket} keeps its state and argument rules; ringloom does the IO
 * (a multishot accept on io_uring). {@link #close()} from another thread wakes a blocked {@code accept} with
 * {@code SocketException}.
 *
 * <p>An interrupted virtual thread blocked in {@code accept} gets {@code SocketException("Closed by interrupt")} and
 * the server socket is closed — the JDK's rule, which {@code ServerSocket} enforces in a final method; a
 * {@link dev.ringloom.runtime.RingServerSocket} keeps listening instead. The {@code SocketImpl}-era
 * {@code setSocketFactory} and {@code implAccept} with foreign socket types are not supported.
 *
 * <p>Thread-safe, as {@code java.net.ServerSocket} is.
 */
public class RingloomServerSocket extends ServerSocket {
    private final Ringloom ring;

    /** An unbound server socket on the {@linkplain Ringloom#shared() shared runtime}. */
    public RingloomServerSocket() throws IOException {
        this(Ringloom.shared());
    }

    /** An unbound server socket on {@code ring}. */
    public RingloomServerSocket(Ringloom ring) throws IOException {
        super(new RingSocketImpl(ring, true));
        this.ring = ring;
    }

    /** Bound to {@code port} on every local address (0: any free port), backlog 50 as the JDK's. */
    public RingloomServerSocket(int port) throws IOException {
        this(port, 50, null);
    }

    /** Bound to {@code bindAddr:port} (a null address: every local address) with {@code backlog}. */
    public RingloomServerSocket(int port, int backlog, InetAddress bindAddr) throws IOException {
        this(Ringloom.shared());
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("Port value out of range: " + port);
        }
        try {
            bind(new InetSocketAddress(bindAddr, port), backlog);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The next connection, as a {@link RingloomSocket} on this server socket's runtime. */
    @Override
    public Socket accept() throws IOException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        if (!isBound()) {
            throw new SocketException("Socket is not bound yet");
        }
        RingloomSocket s = new RingloomSocket(new RingSocketImpl(ring, false));
        implAccept(s);
        return s;
    }
}
