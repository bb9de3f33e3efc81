/** Runnable programs showing ringloom: cat, copy, echo server. */
module dev.ringloom.samples {
    requires dev.ringloom.io;

    exports dev.ringloom.samples; // EchoClient, the load generator the benchmarks reuse
}
