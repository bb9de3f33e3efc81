package dev.ringloom.io;

import dev.ringloom.runtime.Ringloom;

import javax.net.SocketFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A {@link SocketFactory} of {@link RingloomSocket}s, for libraries that take one (JDBC drivers, HTTP and Redis
 * clients): one line moves their IO to ringloom. Immutable and thread-safe.
 */
public final class RingSocketFactory extends SocketFactory {
    private static final class Default {
        static final RingSocketFactory INSTANCE = new RingSocketFactory(null);
    }

    private final Ringloom ring;        // null: the shared runtime, looked up when a socket is made

    /**
     * Sockets on the shared runtime. Public for libraries that instantiate a factory from its class name, such as
     * PostgreSQL JDBC's {@code socketFactory=dev.ringloom.io.RingSocketFactory}.
     */
    public RingSocketFactory() {
        this(null);
    }

    private RingSocketFactory(Ringloom ring) {
        this.ring = ring;
    }

    /** Sockets on the {@linkplain Ringloom#shared() shared runtime}. */
    public static SocketFactory getDefault() {
        return Default.INSTANCE;
    }

    /** Sockets on {@code ring}. */
    public static SocketFactory of(Ringloom ring) {
        return new RingSocketFactory(java.util.Objects.requireNonNull(ring, "ring"));
    }

    private Ringloom ring() throws IOException {
        return ring != null ? ring : Ringloom.shared();
    }

    /** An unconnected socket, which libraries configure and then connect (with their timeout). */
    @Override
    public Socket createSocket() throws IOException {
        return new RingloomSocket(ring());
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        Socket s = createSocket();
        connect(s, new InetSocketAddress(host, port));
        return s;
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        Socket s = createSocket();
        connect(s, new InetSocketAddress(host, port));
        return s;
    }

    /**
     * @throws java.net.SocketException a local address other than the wildcard with port 0 (binding before
     *                                  connect is not supported: {@link RingloomSocket})
     */
    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        Socket s = createSocket();
        bindIfAsked(s, localHost, localPort);
        connect(s, new InetSocketAddress(host, port));
        return s;
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        Socket s = createSocket();
        bindIfAsked(s, localAddress, localPort);
        connect(s, new InetSocketAddress(address, port));
        return s;
    }

    private static void bindIfAsked(Socket s, InetAddress local, int port) throws IOException {
        if ((local != null && !local.isAnyLocalAddress()) || port != 0) {
            s.close();
            throw new java.net.SocketException("ringloom sockets cannot be bound before connect");
        }
    }

    private static void connect(Socket s, InetSocketAddress to) throws IOException {
        try {
            s.connect(to);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }
}
