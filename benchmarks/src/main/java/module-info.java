/** Benchmarks of ringloom against the JDK's own IO. */
module dev.ringloom.benchmarks {
    requires java.management;
    requires dev.ringloom.io;
    requires jdk.unsupported; // com.sun.nio.file.ExtendedOpenOption.DIRECT for the JDK's O_DIRECT baseline
    // Netty's io_uring transport: the sockets peer EchoBenchmark measures against
    requires io.netty.buffer;
    requires io.netty.common;
    requires io.netty.transport;
    requires io.netty.transport.classes.io_uring;
    requires io.netty.transport.classes.epoll;  // NettyEchoLoad, the lean load generator
}
