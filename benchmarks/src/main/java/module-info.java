/** Benchmarks of ringloom against the JDK's own IO. */
module dev.ringloom.benchmarks {
    requires dev.ringloom.io;
}
