/** java.io and java.nio.channels adapters over ringloom's runtime. */
module dev.ringloom.io {
    requires transitive dev.ringloom.runtime;

    exports dev.ringloom.io;
}
