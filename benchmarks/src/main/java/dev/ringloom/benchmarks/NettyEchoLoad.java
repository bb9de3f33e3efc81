package dev.ringloom.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The lean load generator of {@link EchoBenchmark}: the same ping-pong and checks as {@link EchoClient} (each
 * connection sends M bytes, waits for the M echoed bytes, compares every byte with what it sent, repeats; a
 * one-second ramp-up, then a measured window), on Netty's epoll transport with two event loop threads (system
 * property {@code loops}).
 *
 * <p>Why a second load generator: client and server share the machine's cores, so round trips/s are bounded by
 * the client's CPU per round trip as much as by the server's. A virtual thread per connection on JDK sockets
 * costs about as much per round trip as the servers under test and dilutes every difference between them; one
 * epoll loop per core costs less (one loop alone is not enough: it saturates its core before the servers do).
 * Neither is the code under test. Not thread-safe: one {@link #load} at a time.
 */
public final class NettyEchoLoad {
    static final int LOOPS = Integer.getInteger("loops", 2);

    private NettyEchoLoad() {
    }

    /** One connection's ping-pong; runs on its channel's event loop only. */
    private static final class PingPong extends ChannelInboundHandlerAdapter {
        private final Run run;
        private final int id;
        private final byte[] sent, received;
        private Stats stats;
        private long round, sentAt;
        private int got;

        PingPong(Run run, int id) {
            this.run = run;
            this.id = id;
            this.sent = new byte[run.size];
            this.received = new byte[run.size];
        }

        void send(ChannelHandlerContext ctx) {
            EchoClient.fill(sent, id, round++);
            got = 0;
            sentAt = System.nanoTime();
            ctx.writeAndFlush(ctx.alloc().directBuffer(sent.length).writeBytes(sent));
        }

        @Override
        public void channelRegistered(ChannelHandlerContext ctx) {
            stats = run.perLoop.computeIfAbsent(ctx.channel().eventLoop(), l -> new Stats());
            ctx.fireChannelRegistered();
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            send(ctx);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            try {
                int n = Math.min(in.readableBytes(), received.length - got);
                if (n < in.readableBytes()) {
                    stats.mismatches++;           // more than was sent: the server made bytes up
                }
                in.readBytes(received, got, n);
                got += n;
            } finally {
                in.release();
            }
            if (got < received.length) {
                return;
            }
            long now = System.nanoTime();
            if (sentAt >= run.windowStart && now <= run.windowEnd) {
                stats.latencies.record(now - sentAt);
            }
            if (!Arrays.equals(sent, received)) {
                stats.mismatches++;
            }
            if (!run.stopped) {
                send(ctx);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!run.stopped) {
                stats.failures++;                 // the server closed the connection
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            stats.failures++;
            ctx.close();
        }
    }

    /** What one event loop's connections counted; touched by that loop only. */
    private static final class Stats {
        final LatencyHistogram latencies = new LatencyHistogram();
        long mismatches, failures;
    }

    /** One load run. */
    private static final class Run {
        final int size;
        final Map<EventLoop, Stats> perLoop = new ConcurrentHashMap<>();
        volatile long windowStart = Long.MAX_VALUE, windowEnd = Long.MAX_VALUE;
        volatile boolean stopped;

        Run(int size) {
            this.size = size;
        }
    }

    /** {@code NettyEchoLoad HOST PORT CONNECTIONS SIZE SECONDS}: one run, printed as {@link EchoClient} does. */
    public static void main(String[] args) throws InterruptedException {
        EchoClient.Result r = load(new InetSocketAddress(args[0], Integer.parseInt(args[1])),
                Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                EchoClient.Window.NONE);
        System.out.println(r.summary());
        System.exit(r.status());
    }

    /**
     * Runs {@code connections} ping-pong connections of {@code size}-byte messages against {@code target} for
     * {@code seconds} after a one-second ramp-up, checking every echoed byte; {@code window} is told when the
     * measured window opens and closes.
     */
    public static EchoClient.Result load(InetSocketAddress target, int connections, int size, int seconds,
            EchoClient.Window window) throws InterruptedException {
        Epoll.ensureAvailability();
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(LOOPS, EpollIoHandler.newFactory());
        Run run = new Run(size);
        try {
            int[] ids = {0};
            Bootstrap b = new Bootstrap().group(loop).channel(EpollSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new PingPong(run, ids[0]++));
                        }
                    });
            List<Channel> channels = new ArrayList<>();
            List<ChannelFuture> connects = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                connects.add(b.connect(target));
            }
            long connectFailures = 0;
            for (ChannelFuture f : connects) {
                if (f.awaitUninterruptibly().isSuccess()) {
                    channels.add(f.channel());
                } else {
                    connectFailures++;
                }
            }
            long start = System.nanoTime() + EchoClient.Window.RAMP_UP_NANOS;
            run.windowStart = start;
            run.windowEnd = start + TimeUnit.SECONDS.toNanos(seconds);
            EchoClient.Window.await(start, run.windowEnd, window);
            run.stopped = true;
            for (Channel ch : channels) {
                ch.close().awaitUninterruptibly();
            }
            LatencyHistogram latencies = new LatencyHistogram();
            long mismatches = 0, failures = connectFailures;
            for (Map.Entry<EventLoop, Stats> e : run.perLoop.entrySet()) {
                Stats st = e.getValue();
                e.getKey().submit(() -> { }).get();     // its loop's last writes happen-before our reads
                latencies.add(st.latencies);
                mismatches += st.mismatches;
                failures += st.failures;
            }
            return new EchoClient.Result(latencies.count() / (double) seconds, latencies.percentileMicros(0.50),
                    latencies.percentileMicros(0.99), mismatches, failures);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }
}
