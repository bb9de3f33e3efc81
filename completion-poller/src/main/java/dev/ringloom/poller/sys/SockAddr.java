package dev.ringloom.poller.sys;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct sockaddr_in} and {@code struct sockaddr_in6}, and their conversion from and to
 * {@link InetSocketAddress}. Ports and IPv4 addresses are in network byte order.
 * {@snippet lang=c :
 * struct sockaddr_in  { sa_family_t sin_family; in_port_t sin_port; struct in_addr sin_addr; char sin_zero[8]; };  // 16
 * struct sockaddr_in6 { sa_family_t sin6_family; in_port_t sin6_port; uint32_t sin6_flowinfo;
 *                       struct in6_addr sin6_addr; uint32_t sin6_scope_id; };                                  // 28
 * }
 * Stateless; safe for any thread.
 */
public final class SockAddr {
    private static final ValueLayout.OfShort NET_SHORT = JAVA_SHORT.withOrder(java.nio.ByteOrder.BIG_ENDIAN);

    public static final StructLayout IN = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sin_family"), NET_SHORT.withName("sin_port"),
            MemoryLayout.sequenceLayout(4, JAVA_BYTE).withName("sin_addr"),
            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("sin_zero"));
    public static final StructLayout IN6 = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sin6_family"), NET_SHORT.withName("sin6_port"), JAVA_INT.withName("sin6_flowinfo"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("sin6_addr"), JAVA_INT.withName("sin6_scope_id"));
    /** Room for either. */
    public static final int MAX_SIZE = (int) IN6.byteSize();

    private static final long IN_PORT = IN.byteOffset(groupElement("sin_port"));
    private static final long IN_ADDR = IN.byteOffset(groupElement("sin_addr"));
    private static final long IN6_PORT = IN6.byteOffset(groupElement("sin6_port"));
    private static final long IN6_ADDR = IN6.byteOffset(groupElement("sin6_addr"));
    private static final long IN6_SCOPE = IN6.byteOffset(groupElement("sin6_scope_id"));

    private SockAddr() {
    }

    /** The address family a socket for {@code address} needs. */
    public static int family(InetSocketAddress address) {
        return address.getAddress() instanceof Inet4Address ? Libc.AF_INET : Libc.AF_INET6;
    }

    /**
     * Writes {@code address} into {@code dst} (at least {@link #MAX_SIZE} bytes) for a socket of {@code family};
     * an IPv4 address for an IPv6 socket becomes IPv4-mapped. Returns the length to pass to the kernel.
     */
    public static int write(InetSocketAddress address, int family, MemorySegment dst) {
        InetAddress ip = address.getAddress();
        dst.asSlice(0, MAX_SIZE).fill((byte) 0);
        if (family == Libc.AF_INET) {
            dst.set(JAVA_SHORT, 0, (short) Libc.AF_INET);
            dst.set(NET_SHORT, IN_PORT, (short) address.getPort());
            MemorySegment.copy(ip.getAddress(), 0, dst, JAVA_BYTE, IN_ADDR, 4);
            return (int) IN.byteSize();
        }
        dst.set(JAVA_SHORT, 0, (short) Libc.AF_INET6);
        dst.set(NET_SHORT, IN6_PORT, (short) address.getPort());
        byte[] bytes = ip.getAddress();
        if (bytes.length == 4) {        // ::ffff:a.b.c.d
            dst.set(JAVA_BYTE, IN6_ADDR + 10, (byte) 0xFF);
            dst.set(JAVA_BYTE, IN6_ADDR + 11, (byte) 0xFF);
            MemorySegment.copy(bytes, 0, dst, JAVA_BYTE, IN6_ADDR + 12, 4);
        } else {
            MemorySegment.copy(bytes, 0, dst, JAVA_BYTE, IN6_ADDR, 16);
            if (ip instanceof Inet6Address v6) {
                dst.set(JAVA_INT, IN6_SCOPE, v6.getScopeId());
            }
        }
        return (int) IN6.byteSize();
    }

    /** Reads a sockaddr the kernel wrote (IPv4-mapped IPv6 addresses come back as IPv4). */
    public static InetSocketAddress read(MemorySegment src) {
        int family = src.get(JAVA_SHORT, 0);
        try {
            if (family == Libc.AF_INET) {
                byte[] a = new byte[4];
                MemorySegment.copy(src, JAVA_BYTE, IN_ADDR, a, 0, 4);
                return new InetSocketAddress(InetAddress.getByAddress(a), Short.toUnsignedInt(src.get(NET_SHORT, IN_PORT)));
            }
            if (family == Libc.AF_INET6) {
                byte[] a = new byte[16];
                MemorySegment.copy(src, JAVA_BYTE, IN6_ADDR, a, 0, 16);
                int port = Short.toUnsignedInt(src.get(NET_SHORT, IN6_PORT));
                int scope = src.get(JAVA_INT, IN6_SCOPE);
                InetAddress ip = scope != 0 ? Inet6Address.getByAddress(null, a, scope) : InetAddress.getByAddress(a);
                return new InetSocketAddress(ip, port);
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException("the kernel returned a malformed address", e);
        }
        throw new IllegalStateException("unexpected address family " + family);
    }
}
