/**
 * What virtual threads call: files, sockets and buffers whose blocking calls park the calling thread
 * while a poller does the kernel work.
 */
module dev.ringloom.runtime {
    requires transitive dev.ringloom.poller;

    exports dev.ringloom.runtime;

    uses dev.ringloom.poller.spi.IoBackendProvider;
    provides dev.ringloom.poller.spi.IoBackendProvider with
            dev.ringloom.runtime.uring.UringBackendProvider, dev.ringloom.runtime.jdk.JdkBackendProvider;
}
