package io.musicfs.fuse.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.musicfs.api.content.ContentReader;
import io.musicfs.api.content.ContentUnavailableException;
import io.musicfs.api.library.Library;
import io.musicfs.api.library.TrackFile;
import io.musicfs.api.library.TreeSnapshot;
import io.musicfs.api.mount.Mount;
import io.musicfs.api.mount.MountStats;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the FUSE mount: checks the mount point, mounts the library read-only, runs libfuse's loop
 * on its own thread, and unmounts when deactivated.
 *
 * <p>The library and the content reader are dynamic references: when the catalog or the cache
 * bundle restarts, the mount stays up, listing serves the last tree and reads fail with EIO until
 * the reader is back. The mount waits for the first library before it mounts, so nobody sees an
 * empty tree at start.
 *
 * <p>Threads: one "musicfs-fuse" thread runs libfuse's main loop (which starts its own workers);
 * state fields are volatile and written by that thread and the component's lifecycle methods.
 */
@Component(configurationPid = FuseMount.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = Mount.class,
        immediate = true) // the mount lives as long as its configuration, not as long as someone holds the Mount service
@Designate(ocd = FuseMount.Config.class)
public class FuseMount implements Mount {

    static final String PID = "musicfs.fuse";
    private static final Logger LOG = LoggerFactory.getLogger(FuseMount.class);
    /** how long the kernel may take to answer a new mount before we call it failed */
    private static final long MOUNT_TIMEOUT_MILLIS = 15_000;
    /** callbacks after which jffi keeps a native thread attached to the JVM (jffi's THREAD_ATTACH_THRESHOLD) */
    private static final int JFFI_ATTACH_THRESHOLD = 1000;
    /** lookups sent after mounting: enough for libfuse's (up to about 10 idle) workers to pass the threshold */
    private static final int WARM_UP_LOOKUPS = 16 * JFFI_ATTACH_THRESHOLD;
    /** threads sending them, so several libfuse workers are busy at once */
    private static final int WARM_UP_THREADS = 4;
    /** how long unmounting may take before the loop thread is abandoned */
    private static final long UNMOUNT_TIMEOUT_MILLIS = 5_000;
    /** waits before each remount after the FUSE session died (resilience.md 3.4) */
    private static final long[] REMOUNT_DELAYS_MILLIS = {1_000, 5_000, 15_000};
    /** a session that served this long before it died starts the remount attempts afresh */
    private static final long REMOUNT_RESET_MILLIS = 60_000;

    @ObjectClassDefinition(name = "MusicFS mount", description = "The FUSE mount of the library")
    public @interface Config {
        @AttributeDefinition(name = "Mount point", description = "An existing, empty folder")
        String mountPoint();

        @AttributeDefinition(name = "Allow other users", description = "Let other users (a media server's) read the mount; "
                + "needs user_allow_other in /etc/fuse.conf when not run as root")
        boolean allowOther() default false;

        @AttributeDefinition(name = "Attribute timeout", description = "Seconds the kernel caches names and attributes")
        int attrTimeoutSeconds() default 5;
    }

    private volatile Library library;
    private volatile ContentReader content;
    private volatile TreeSnapshot lastTree;
    private final CountDownLatch libraryBound = new CountDownLatch(1);

    private Path mountPoint;
    private List<String> options;
    private volatile State state = State.MOUNTING;
    /** the file system being served, once built; its counters outlive the session for status */
    private volatile LibraryFs fileSystem;
    private volatile String failure;
    /** set by deactivation or a drain: the bindings going away now are the shutdown's, not news */
    private volatile boolean unmounting;
    /** one for the whole component, so that rate limiting spans remounts */
    private final ReadFailures failures = new ReadFailures(System::nanoTime);
    private final CountDownLatch settled = new CountDownLatch(1);
    private Thread loop;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void setLibrary(Library library) {
        this.library = library;
        libraryBound.countDown();
    }

    void unsetLibrary(Library gone) {
        if (library == gone) {
            lastTree = gone.tree();
            library = null;
            if (!unmounting) { // DS also unbinds after deactivation: nothing to warn about then
                LOG.warn("the catalog went away: the mount keeps serving the last tree ({} tracks)", lastTree.trackCount());
            }
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void setContent(ContentReader content) {
        this.content = content;
    }

    void unsetContent(ContentReader gone) {
        if (content == gone) {
            content = null;
            if (!unmounting) {
                LOG.warn("the chunk cache went away: reads fail with EIO until it is back");
            }
        }
    }

    @Activate
    void activate(Config config) {
        String mp = config.mountPoint();
        if (mp == null || mp.isBlank()) {
            throw new IllegalArgumentException("mountPoint: no mount point configured");
        }
        if (config.attrTimeoutSeconds() < 0 || config.attrTimeoutSeconds() > 3600) {
            throw new IllegalArgumentException("attrTimeoutSeconds: " + config.attrTimeoutSeconds() + " is not between 0 and 3600");
        }
        mountPoint = Path.of(mp).toAbsolutePath().normalize();
        options = mountOptions(config);
        loop = new Thread(this::mountAndServe, "musicfs-fuse");
        loop.setDaemon(true);
        loop.setPriority(Thread.NORM_PRIORITY); // libfuse's workers inherit it: never a background creator's lowered one
        loop.start();
    }

    static List<String> mountOptions(Config config) {
        int timeout = config.attrTimeoutSeconds();
        // auto_cache: the kernel keeps file pages between opens and drops them when size or mtime
        // change, so warm reads run at page-cache speed and a changed origin file is re-read.
        String opts = "ro,fsname=musicfs,subtype=musicfs,use_ino,auto_cache,default_permissions"
                + ",attr_timeout=" + timeout + ",entry_timeout=" + timeout + ",negative_timeout=1"
                + (config.allowOther() ? ",allow_other" : "");
        return List.of("-o", opts);
    }

    /**
     * Mounts and serves until unmounted. When the session ends while nobody asked for it (the
     * mount was detached from outside, libfuse failed), the mount is cleaned and mounted again
     * after {@link #REMOUNT_DELAYS_MILLIS}; when those attempts are used up the mount reports
     * {@link State#FAILED} and the launcher shuts the daemon down.
     */
    private void mountAndServe() {
        try {
            checkMountPoint();
            fileSystem = newFileSystem();
            awaitLibrary();
        } catch (MountException e) {
            fail(e.getMessage());
            return;
        }
        int attempt = 0;
        while (true) {
            long started = System.nanoTime();
            int rc = serve(fileSystem);
            if (state == State.MOUNTING || unmounting) {
                if (state == State.MOUNTING) {
                    fail("mounting " + mountPoint + " failed (libfuse returned " + rc + "); see the lines above from fuse");
                }
                return;
            }
            if (System.nanoTime() - started > TimeUnit.MILLISECONDS.toNanos(REMOUNT_RESET_MILLIS)) {
                attempt = 0; // it served for a good while: this is a new failure, not the same one again
            }
            LOG.error("the FUSE session at {} ended unexpectedly (libfuse returned {}); cleaning the mount point", mountPoint, rc);
            MountTable.unmount(mountPoint, UNMOUNT_TIMEOUT_MILLIS);
            state = State.MOUNTING;
            String lastFailure = "the FUSE session ended";
            boolean ready = false;
            while (!ready) {
                if (attempt >= REMOUNT_DELAYS_MILLIS.length) {
                    failure = "the FUSE session at " + mountPoint + " ended and " + REMOUNT_DELAYS_MILLIS.length
                            + " remounts did not bring it back (" + lastFailure + ")";
                    state = State.FAILED;
                    LOG.error("{}; giving up", failure);
                    return;
                }
                long delay = REMOUNT_DELAYS_MILLIS[attempt++];
                LOG.warn("remounting {} in {} s (attempt {} of {})", mountPoint, delay / 1000, attempt, REMOUNT_DELAYS_MILLIS.length);
                try {
                    Thread.sleep(delay);
                    if (unmounting) {
                        return;
                    }
                    checkMountPoint();
                    fileSystem = newFileSystem();
                    ready = true;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (MountException e) {
                    lastFailure = e.getMessage();
                    LOG.error("remounting {} failed: {}", mountPoint, e.getMessage());
                }
            }
        }
    }

    /** Runs one FUSE session on this thread until it ends; @return libfuse's result */
    private int serve(LibraryFs fs) {
        List<String> args = new ArrayList<>(List.of("musicfs", "-f", mountPoint.toString()));
        args.addAll(options);
        Thread watcher = new Thread(() -> awaitInit(fs), "musicfs-fuse-init");
        watcher.setDaemon(true);
        watcher.start();
        try {
            return fs.run(args.toArray(String[]::new));
        } catch (Throwable t) {
            LOG.error("FUSE loop for {} crashed: {}", mountPoint, t.toString(), t);
            if (!unmounting) {
                LOG.error("attempting an emergency unmount of {}", mountPoint);
                MountTable.unmount(mountPoint, UNMOUNT_TIMEOUT_MILLIS);
            }
            return -1;
        }
    }

    private void awaitInit(LibraryFs fs) {
        try {
            fs.initialised().get(MOUNT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            boolean first = settled.getCount() > 0;
            state = State.MOUNTED;
            LOG.info("{} {} read-only ({} tracks)", first ? "mounted" : "remounted", mountPoint, tree().trackCount());
            settled.countDown();
            warmUpWorkers();
        } catch (TimeoutException e) {
            fail("mounting " + mountPoint + " did not complete within " + MOUNT_TIMEOUT_MILLIS / 1000 + " s");
            MountTable.unmount(mountPoint, UNMOUNT_TIMEOUT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            fail("mounting " + mountPoint + " failed: " + e.getCause());
        }
    }

    /**
     * jffi attaches a native thread to the JVM for each callback and detaches it afterwards, until
     * that thread has made {@value #JFFI_ATTACH_THRESHOLD} callbacks; from then on it stays
     * attached. Until then every FUSE request costs a thread attach (a new java.lang.Thread), which
     * measured as the main cost of a first read. So right after mounting, lookups of names that do
     * not exist (each a distinct request the kernel cannot answer from its cache) are sent from a
     * few processes until libfuse's workers are past the threshold.
     *
     * <p>Child processes ({@code sh} with its built-in {@code test -e}), never threads of this
     * process: a thread of the FUSE server that waits on its own mount when the process is killed
     * (kill -9) can never be answered, so the process could never exit and the mount would hang.
     * A child's lookups fail at once when the server is gone.
     */
    private void warmUpWorkers() {
        Thread warmUp = new Thread(() -> {
            long start = System.nanoTime();
            String script = "i=$1; while [ \"$i\" -lt \"$2\" ]; do [ -e \"$0/.musicfs-warm-up-$i\" ]; i=$((i+1)); done";
            List<Process> lookups = new ArrayList<>();
            int each = WARM_UP_LOOKUPS / WARM_UP_THREADS;
            try {
                for (int t = 0; t < WARM_UP_THREADS; t++) {
                    lookups.add(new ProcessBuilder("sh", "-c", script, mountPoint.toString(), Integer.toString(t * each),
                            Integer.toString((t + 1) * each)).redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
                }
                for (Process p : lookups) {
                    while (!p.waitFor(100, TimeUnit.MILLISECONDS)) {
                        if (unmounting) {
                            p.destroyForcibly();
                        }
                    }
                }
                LOG.info("FUSE workers warmed up with {} lookups in {} ms", WARM_UP_LOOKUPS, (System.nanoTime() - start) / 1_000_000);
            } catch (IOException e) {
                LOG.debug("FUSE warm-up lookups could not be started, first reads pay jffi's thread attach: {}", e.toString());
            } catch (InterruptedException e) {
                lookups.forEach(Process::destroyForcibly);
            }
        }, "musicfs-fuse-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
    }

    private void checkMountPoint() throws MountException {
        if (!Files.exists(mountPoint)) {
            String type = mountedTypeOrNull();
            if (type != null) {
                // A dead FUSE mount: stat fails with "Transport endpoint is not connected".
                cleanStaleMount(type);
                return;
            }
            throw new MountException("mount point " + mountPoint + " does not exist (create it with: mkdir -p " + mountPoint + ")");
        }
        if (!Files.isDirectory(mountPoint)) {
            throw new MountException("mount point " + mountPoint + " is not a folder");
        }
        String type = mountedTypeOrNull();
        if (type != null) {
            if (type.startsWith("fuse") && MountTable.isDisconnected(mountPoint, UNMOUNT_TIMEOUT_MILLIS)) {
                // its process is gone, but the kernel still answers stat of the root from its cache
                cleanStaleMount(type);
                return;
            }
            throw new MountException("mount point " + mountPoint + " is already mounted (" + type
                    + "); unmount it first (fusermount -u " + mountPoint + ") or choose another folder");
        }
    }

    private void cleanStaleMount(String type) throws MountException {
        LOG.warn("mount point {} holds a dead {} mount left by a process that ended; unmounting it", mountPoint, type);
        if (!MountTable.unmount(mountPoint, UNMOUNT_TIMEOUT_MILLIS) || !Files.isDirectory(mountPoint)) {
            throw new MountException("mount point " + mountPoint + " holds a dead mount that could not be removed; run: fusermount -uz "
                    + mountPoint);
        }
    }

    private String mountedTypeOrNull() throws MountException {
        try {
            return MountTable.mountedType(mountPoint);
        } catch (IOException e) {
            throw new MountException("cannot read the mount table: " + e);
        }
    }

    private void awaitLibrary() throws MountException {
        try {
            while (!libraryBound.await(30, TimeUnit.SECONDS)) {
                if (unmounting) {
                    throw new MountException("stopped before the catalog was ready");
                }
                LOG.info("waiting for the catalog before mounting {}", mountPoint);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MountException("interrupted while waiting for the catalog");
        }
    }

    private LibraryFs newFileSystem() throws MountException {
        try {
            long uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
            long gid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:gid")).longValue();
            FaultPoints faults = FaultPoints.fromSystemProperties();
            if (faults.active()) {
                LOG.warn("test fault points are switched on: {}", faults);
            }
            return new LibraryFs(this::tree, this::read, failures, uid, gid, faults);
        } catch (LinkageError | IllegalStateException e) {
            String reason = String.valueOf(e.getMessage()).lines().findFirst().orElse("").strip();
            throw new MountException("libfuse 2 cannot be loaded (" + reason + "); install it with: apt-get install libfuse2 fuse3");
        } catch (IOException | UnsupportedOperationException e) {
            throw new MountException("cannot read this process's user id: " + e);
        }
    }

    private TreeSnapshot tree() {
        Library current = library;
        return current != null ? current.tree() : lastTree;
    }

    private int read(TrackFile file, long offset, java.nio.ByteBuffer dst) throws IOException {
        ContentReader current = content;
        if (current == null) {
            throw new ContentUnavailableException("the chunk cache is not running");
        }
        return current.read(file, offset, dst);
    }

    /** Records why mounting failed; whoever waits on the mount (the launcher) reports it, once. */
    private void fail(String message) {
        failure = message;
        state = State.FAILED;
        LOG.debug("mount failed: {}", message);
        settled.countDown();
    }

    @Override
    public boolean drain(Duration timeout) throws InterruptedException {
        unmounting = true;
        LibraryFs fs = fileSystem;
        if (fs == null || state != State.MOUNTED) {
            return true;
        }
        long inFlight = fs.stats().inFlight();
        boolean drained = fs.drain(timeout);
        if (drained) {
            LOG.info("drained {}: {} operations were in flight; new operations answer EIO", mountPoint, inFlight);
        } else {
            LOG.warn("drain of {} timed out after {} ms: the reads still waiting were answered EIO", mountPoint, timeout.toMillis());
        }
        return drained;
    }

    @Deactivate
    void deactivate() {
        unmounting = true;
        boolean wasMounted = state == State.MOUNTED;
        state = State.UNMOUNTED;
        settled.countDown();
        if (wasMounted) {
            long start = System.nanoTime();
            if (!MountTable.unmount(mountPoint, UNMOUNT_TIMEOUT_MILLIS)) {
                LOG.error("fusermount -u -z {} failed; run it by hand", mountPoint);
            }
            try {
                loop.join(UNMOUNT_TIMEOUT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            LOG.info("unmounted {} in {} ms", mountPoint, (System.nanoTime() - start) / 1_000_000);
        }
    }

    @Override
    public Path mountPoint() {
        return mountPoint;
    }

    @Override
    public State state() {
        return state;
    }

    @Override
    public String failure() {
        return failure;
    }

    @Override
    public MountStats stats() {
        LibraryFs fs = fileSystem;
        return fs == null ? new MountStats(0, 0, List.of()) : fs.stats();
    }

    @Override
    public State awaitSettled(Duration timeout) throws InterruptedException {
        settled.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return state;
    }

    /** A reason not to mount, for the operator. */
    private static final class MountException extends Exception {
        private static final long serialVersionUID = 1L;

        MountException(String message) {
            super(message);
        }
    }
}
