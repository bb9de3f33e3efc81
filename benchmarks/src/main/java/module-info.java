/** Benchmarks of ringloom against the JDK's own IO. */
module dev.ringloom.benchmarks {
    requires dev.ringloom.io;
    requires dev.ringloom.samples;
    requires jdk.unsupported; // com.sun.nio.file.ExtendedOpenOption.DIRECT for the JDK's O_DIRECT baseline
}
