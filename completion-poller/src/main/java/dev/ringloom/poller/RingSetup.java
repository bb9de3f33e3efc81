package dev.ringloom.poller;

import dev.ringloom.poller.sys.Errno;
import dev.ringloom.poller.uring.IoUring;
import dev.ringloom.poller.uring.KernelFeatures;

import java.io.IOException;
import java.util.List;

import static dev.ringloom.poller.uring.IoUringConstants.SETUP_COOP_TASKRUN;
import static dev.ringloom.poller.uring.IoUringConstants.SETUP_DEFER_TASKRUN;
import static dev.ringloom.poller.uring.IoUringConstants.SETUP_SINGLE_ISSUER;
import static dev.ringloom.poller.uring.IoUringConstants.SETUP_SUBMIT_ALL;
import static dev.ringloom.poller.uring.IoUringConstants.SETUP_TASKRUN_FLAG;

/**
 * Creates a poller's ring: the best set-up flags the kernel accepts (it answers EINVAL for flags it does not
 * know), the kernel floor ({@link KernelFeatures#missing()}), the io-wq cap. Must run on the thread that will be
 * the ring's only submitter ({@code IORING_SETUP_SINGLE_ISSUER}): the probe submits on the ring. Stateless.
 */
final class RingSetup {
    /** The ring and what its kernel offers. */
    record Opened(IoUring ring, KernelFeatures features) {
    }

    private RingSetup() {
    }

    /**
     * @throws IoUringUnavailableException if the kernel refuses io_uring or lacks what ringloom uses, saying which
     */
    static Opened open(PollerConfig config) throws IOException {
        IoUring ring = null;
        IoUring.SetupException last = null;
        for (int flags : flagCandidates()) {
            try {
                ring = IoUring.setup(config.sqEntries(), config.cqEntries(), flags);
                break;
            } catch (IoUring.SetupException e) {
                last = e;
                if (e.errno() != Errno.EINVAL) {
                    break;
                }
            }
        }
        if (ring == null) {
            throw IoUringUnavailableException.fromSetup(last.errno(), last);
        }
        KernelFeatures f = KernelFeatures.probe(ring);
        List<String> missing = f.missing();
        if (!missing.isEmpty()) {
            ring.close();
            throw new IoUringUnavailableException("io_uring is unavailable: the kernel (" + f + ") lacks "
                    + String.join(", ", missing) + "; ringloom needs " + KernelFeatures.FLOOR + " or newer", 0, null);
        }
        if (config.ioWorkers() > 0) {
            ring.limitWorkers(config.ioWorkers(), config.ioWorkers()); // best effort: older kernels lack it
        }
        return new Opened(ring, f);
    }

    /** Ring set-up flags to try, best first. */
    private static int[] flagCandidates() {
        boolean defer = Boolean.parseBoolean(System.getProperty("ringloom.deferTaskrun", "true"));
        return defer
                ? new int[]{SETUP_SINGLE_ISSUER | SETUP_DEFER_TASKRUN | SETUP_TASKRUN_FLAG | SETUP_SUBMIT_ALL,
                            SETUP_SINGLE_ISSUER | SETUP_DEFER_TASKRUN | SETUP_SUBMIT_ALL,
                            SETUP_SINGLE_ISSUER | SETUP_COOP_TASKRUN | SETUP_SUBMIT_ALL,
                            SETUP_COOP_TASKRUN | SETUP_SUBMIT_ALL, 0}
                : new int[]{SETUP_SINGLE_ISSUER | SETUP_COOP_TASKRUN | SETUP_SUBMIT_ALL,
                            SETUP_COOP_TASKRUN | SETUP_SUBMIT_ALL, 0};
    }
}
