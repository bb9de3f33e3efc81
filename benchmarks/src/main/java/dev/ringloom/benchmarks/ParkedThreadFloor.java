package dev.ringloom.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The floor under any thread-per-connection design on this JDK: the live heap of a virtual thread parked in
 * {@link LockSupport#park()} straight from its {@code run}, nothing of its own — its {@code Thread} and continuation
 * objects and the stack chunk its park freezes. Warmed up first (parks through compiled code), then {@code N}
 * parked at once; heap used after a full collection, with them parked and after they ended.
 *
 * <pre>
 * mvn -q -DskipTests package exec:exec -pl benchmarks -am -Dbench="ParkedThreadFloor [N]"
 * </pre>
 */
public final class ParkedThreadFloor {
    private static volatile boolean release;

    private ParkedThreadFloor() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        for (int round = 0; round < 20; round++) {
            release = false;
            parkAll(n);   // and release them: compiles the park path
        }
        release = false;
        List<Thread> parked = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            parked.add(Thread.ofVirtual().start(ParkedThreadFloor::parkUntilReleased));
        }
        Thread.sleep(500);
        long withThreads = usedAfterGc();
        release = true;
        parked.forEach(LockSupport::unpark);
        for (Thread t : parked) {
            t.join();
        }
        parked.clear();
        long without = usedAfterGc();
        System.out.printf("JDK %s: a parked virtual thread holds %.2f KiB of live heap (%,d threads)%n",
                Runtime.version(), (withThreads - without) / 1024.0 / n, n);
    }

    private static void parkAll(int n) throws InterruptedException {
        List<Thread> ts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ts.add(Thread.ofVirtual().start(ParkedThreadFloor::parkUntilReleased));
        }
        Thread.sleep(100);
        release = true;
        ts.forEach(LockSupport::unpark);
        for (Thread t : ts) {
            t.join();
        }
    }

    private static void parkUntilReleased() {
        while (!release) {
            LockSupport.park();
        }
    }

    private static long usedAfterGc() throws InterruptedException {
        System.gc();
        Thread.sleep(200);
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
