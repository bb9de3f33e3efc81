package dev.ringloom.io;

import dev.ringloom.runtime.Ringloom;

import javax.net.ServerSocketFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** A {@link ServerSocketFactory} of {@link RingloomServerSocket}s. Immutable and thread-safe. */
public final class RingServerSocketFactory extends ServerSocketFactory {
    private static final class Default {
        static final RingServerSocketFactory INSTANCE = new RingServerSocketFactory(null);
    }

    private final Ringloom ring;        // null: the shared runtime

    private RingServerSocketFactory(Ringloom ring) {
        this.ring = ring;
    }

    /** Server sockets on the {@linkplain Ringloom#shared() shared runtime}. */
    public static ServerSocketFactory getDefault() {
        return Default.INSTANCE;
    }

    /** Server sockets on {@code ring}. */
    public static ServerSocketFactory of(Ringloom ring) {
        return new RingServerSocketFactory(java.util.Objects.requireNonNull(ring, "ring"));
    }

    @Override
    public ServerSocket createServerSocket() throws IOException {
        return new RingloomServerSocket(ring != null ? ring : Ringloom.shared());
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
        return createServerSocket(port, 50, null);
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
        return createServerSocket(port, backlog, null);
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress ifAddress) throws IOException {
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("Port value out of range: " + port);
        }
        ServerSocket s = createServerSocket();
        try {
            s.bind(new InetSocketAddress(ifAddress, port), backlog);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }
}
