package io.musicfs.run.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.musicfs.api.library.Library;
import io.musicfs.api.mount.Mount;
import io.musicfs.run.internal.control.ControlClient;
import io.musicfs.run.internal.control.ControlConfiguration;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import sun.misc.Signal;

/**
 * The {@code musicfs} command, run on the launcher's main thread: parses the command line, checks
 * the machine, takes the instance lock, configures the bundles, waits for the mount and then for
 * Ctrl-C or SIGTERM. Its return value is the process's exit code; when it returns the launcher
 * stops the framework, which unmounts.
 *
 * <p>A named class, not a lambda: the bnd launcher checks by reflection that {@code call()} returns
 * an Integer.
 */
public final class MainThread implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(MainThread.class);
    /** how long the mount may take to come up, catalog start included */
    private static final Duration MOUNT_TIMEOUT = Duration.ofSeconds(120);

    private final BundleContext context;
    private final String[] args;
    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;
    private final CountDownLatch stop = new CountDownLatch(1);
    private volatile String stopSignal;
    /** held from start until the process ends; the kernel releases it on exit */
    private InstanceLock lock;

    MainThread(BundleContext context, String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        this.context = context;
        this.args = args;
        this.env = env;
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        for (String name : new String[] {"INT", "TERM"}) {
            Signal.handle(new Signal(name), signal -> {
                stopSignal = "SIG" + signal.getName();
                stop.countDown();
            });
        }
        Path home = Path.of(System.getProperty("user.home"));
        try {
            CommandLine.Command command = CommandLine.parse(args, env, home);
            if (command instanceof CommandLine.Help) {
                out.println(CommandLine.USAGE);
                return 0;
            }
            if (command instanceof CommandLine.Version) {
                out.println("musicfs " + context.getBundle().getVersion());
                return 0;
            }
            if (command instanceof CommandLine.ControlCommand control) {
                return ControlClient.run(control.request(), control.cacheDir(), Paths.show(control.cacheDir(), home), out, err,
                        System.console() != null);
            }
            return mount(((CommandLine.MountCommand) command).settings(), home);
        } catch (UsageException e) {
            err.println("musicfs: " + e.getMessage());
            return 2;
        } catch (StartupException e) {
            err.println("musicfs: error: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (RuntimeException | IOException e) {
            LOG.error("musicfs stopped on an unexpected error", e);
            err.println("musicfs: error: " + e);
            return 1;
        }
    }

    private int mount(Settings settings, Path home) throws StartupException, IOException, InterruptedException {
        StartupChecks.check(settings, home);
        lock = InstanceLock.acquire(settings.cacheDir());
        LOG.info("starting: mount {} cache {} origins {}", Paths.show(settings.mountPoint(), home),
                Paths.show(settings.cacheDir(), home), settings.origins().stream().map(OriginSpec::id).toList());
        ServiceTracker<Mount, Mount> mounts = new ServiceTracker<>(context, Mount.class, null);
        mounts.open();
        try {
            ConfigurationAdmin admin = service(ConfigurationAdmin.class);
            RuntimeConfiguration.apply(admin, settings);
            Mount mount = mounts.waitForService(MOUNT_TIMEOUT.toMillis());
            if (mount == null) {
                throw new StartupException("the mount did not start within " + MOUNT_TIMEOUT.toSeconds() + " s; see the log above");
            }
            Mount.State state = mount.awaitSettled(MOUNT_TIMEOUT);
            if (state == Mount.State.FAILED) {
                throw new StartupException(mount.failure());
            }
            if (state != Mount.State.MOUNTED) {
                throw new StartupException("the mount of " + settings.mountPoint() + " did not come up within "
                        + MOUNT_TIMEOUT.toSeconds() + " s (state " + state + ")");
            }
            // the control API starts once the mount is up: a daemon that fails to mount never opens a listener
            ControlConfiguration.apply(admin, settings.control(), settings.cacheDir());
            Library library = service(Library.class);
            out.println("musicfs: serving " + library.tree().trackCount() + " tracks at " + Paths.show(settings.mountPoint(), home)
                    + " (Ctrl-C to stop)");
            out.flush();
            stop.await();
            LOG.info("{} received: unmounting {} and stopping", stopSignal, settings.mountPoint());
            return 0;
        } finally {
            mounts.close();
        }
    }

    /**
     * Waits for a service. The tracker stays open for the rest of the run: closing it would unget
     * the service, and a Configuration Admin object is unusable once ungot.
     */
    private <T> T service(Class<T> type) throws StartupException, InterruptedException {
        ServiceTracker<T, T> tracker = new ServiceTracker<>(context, type, null);
        tracker.open();
        T service = tracker.waitForService(TimeUnit.SECONDS.toMillis(60));
        if (service == null) {
            tracker.close();
            throw new StartupException("the " + type.getSimpleName() + " service did not start within 60 s; see the log above");
        }
        return service;
    }
}
