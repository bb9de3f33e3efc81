/**
 * The kernel side of ringloom: io_uring through the Foreign Function &amp; Memory API, the rings, the
 * poller thread, the in-flight table and the buffer registry.
 *
 * <p>Everything here talks to the kernel ABI directly through libc; there is no JNI and no native
 * library to install. The module needs native access ({@code --enable-native-access}).
 */
module dev.ringloom.poller {
    requires org.jctools.core.jdk11;
    requires java.logging;

    exports dev.ringloom.poller;
    exports dev.ringloom.poller.spi;
    exports dev.ringloom.poller.sys to dev.ringloom.runtime, dev.ringloom.benchmarks;
    exports dev.ringloom.poller.uring to dev.ringloom.runtime, dev.ringloom.benchmarks;
}
