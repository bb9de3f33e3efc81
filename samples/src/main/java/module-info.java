/** Runnable programs showing ringloom: cat, copy, echo server. */
module dev.ringloom.samples {
    requires dev.ringloom.io;

}
