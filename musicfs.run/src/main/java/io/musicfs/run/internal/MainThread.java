package io.musicfs.run.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.musicfs.api.cache.CacheAdmin;
import io.musicfs.api.health.HealthMonitor;
import io.musicfs.api.library.Library;
import io.musicfs.api.mount.Mount;
import io.musicfs.api.supervision.Lifecycle;
import io.musicfs.api.supervision.SupervisedTask;
import io.musicfs.api.supervision.Supervisor;
import io.musicfs.run.internal.control.ControlClient;
import io.musicfs.run.internal.control.ControlConfiguration;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import sun.misc.Signal;

/**
 * The {@code musicfs} command, run on the launcher's main thread: parses the command line, checks
 * the machine, takes the instance lock, configures the bundles, waits for the mount, tells systemd
 * it is ready, and then serves until a shutdown is asked for (SIGTERM, SIGINT, the control plane
 * through {@link Lifecycle}, or a mount that died for good). Then it runs the
 * {@link OrderedShutdown}; its return value is the process's exit code, and the launcher stops
 * the framework after it returns.
 *
 * <p>Signals: the first SIGTERM or SIGINT starts the shutdown; a second one during it exits at
 * once (after a lazy unmount). SIGHUP reloads the configuration ({@link ConfigReload}).
 *
 * <p>A named class, not a lambda: the bnd launcher checks by reflection that {@code call()} returns
 * an Integer.
 */
public final class MainThread implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(MainThread.class);
    /** how long the mount may take to come up, catalog start included */
    private static final Duration MOUNT_TIMEOUT = Duration.ofSeconds(120);
    /** exit code when the mount died and could not be brought back */
    private static final int EXIT_MOUNT_FAILED = 1;

    /** A shutdown asked for: why, how long to drain, and the exit code. */
    private record ShutdownRequest(String reason, Duration drain, int exitCode) {
    }

    private final BundleContext context;
    private final String[] args;
    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;
    private final Instant started = Instant.now();
    private final CountDownLatch stop = new CountDownLatch(1);
    private final AtomicReference<ShutdownRequest> shutdown = new AtomicReference<>();
    private final LogLevels logLevels = new LogLevels();
    private final SystemdNotifier notifier;
    private final List<ServiceTracker<?, ?>> trackers = new ArrayList<>();
    private volatile Path mountPoint;
    private volatile Duration drainTimeout = Settings.DaemonOptions.DEFAULTS.drainTimeout();
    private volatile ConfigReload reload;
    /** held from start until the process ends; the kernel releases it on exit */
    private InstanceLock lock;

    MainThread(BundleContext context, String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        this.context = context;
        this.args = args;
        this.env = env;
        this.out = out;
        this.err = err;
        this.notifier = SystemdNotifier.fromEnvironment(env);
    }

    @Override
    public Integer call() {
        Thread.setDefaultUncaughtExceptionHandler(TaskSupervisor.UNCAUGHT);
        Signal.handle(new Signal("TERM"), signal -> stopSignal("SIGTERM", 128 + 15));
        Signal.handle(new Signal("INT"), signal -> stopSignal("SIGINT", 128 + 2));
        Signal.handle(new Signal("HUP"), signal -> reloadSignal());
        logLevels.configureIfDefault(context.getBundle().getEntry("conf/logback.xml"));
        logLevels.reportConfigurationErrors(err);
        logLevels.limitRepeatedWarnings();
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
        } catch (RuntimeException | IOException | LinkageError e) {
            LOG.error("musicfs stopped on an unexpected error", e);
            err.println("musicfs: error: " + describe(e));
            return 1;
        } finally {
            trackers.forEach(ServiceTracker::close);
        }
    }

    /** One line for the operator; a descriptor shortage says so (resilience.md 5.3). */
    private static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (String.valueOf(t.getMessage()).contains("Too many open files")) {
                return "out of file descriptors (limit " + ResourceWatch.openFilesLimit() + "): raise it with ulimit -n or LimitNOFILE= ("
                        + e + ")";
            }
        }
        return e.toString();
    }

    private void stopSignal(String name, int exitCodeWhenForced) {
        if (!requestShutdown(new ShutdownRequest(name + " received", currentDrainTimeout(), 0))) {
            LOG.warn("second {} during the shutdown: unmounting and exiting at once", name);
            OrderedShutdown.exitNow(mountPoint, exitCodeWhenForced);
        }
    }

    /** the drain timeout of the running configuration (a reload may change it) */
    private Duration currentDrainTimeout() {
        ConfigReload current = reload;
        return current != null ? current.running().daemon().drainTimeout() : drainTimeout;
    }

    private void reloadSignal() {
        ConfigReload current = reload;
        if (current == null) {
            LOG.warn("SIGHUP received before the daemon was serving; nothing reloaded");
            return;
        }
        Thread reloader = new Thread(() -> current.reload("SIGHUP"), "musicfs-reload");
        reloader.setDaemon(true);
        reloader.start();
    }

    /** @return whether this request started the shutdown (false: one was already under way) */
    private boolean requestShutdown(ShutdownRequest request) {
        if (!shutdown.compareAndSet(null, request)) {
            return false;
        }
        stop.countDown();
        return true;
    }

    private int mount(Settings settings, Path home) throws StartupException, IOException, InterruptedException {
        StartupChecks.check(settings, home);
        lock = InstanceLock.acquire(settings.cacheDir());
        mountPoint = settings.mountPoint();
        drainTimeout = settings.daemon().drainTimeout();
        logLevels.apply(settings.daemon().logLevel());
        LOG.info("starting: mount {} cache {} origins {}", Paths.show(settings.mountPoint(), home),
                Paths.show(settings.cacheDir(), home), settings.origins().stream().map(OriginSpec::id).toList());
        JitPolicy.apply();
        notifier.send("STATUS=starting: mounting " + settings.mountPoint());
        ServiceTracker<Mount, Mount> mounts = track(Mount.class);
        ServiceTracker<Library, Library> libraries = track(Library.class);
        ServiceTracker<HealthMonitor, HealthMonitor> health = track(HealthMonitor.class);
        ServiceTracker<Supervisor, Supervisor> supervisors = track(Supervisor.class);
        ServiceTracker<CacheAdmin, CacheAdmin> caches = track(CacheAdmin.class);
        ConfigurationAdmin admin = service(ConfigurationAdmin.class);
        RuntimeConfiguration.apply(admin, settings);
        Mount mount = awaitMount(mounts, settings);
        if (mount == null) {
            return shutDown(null);
        }
        // the control API starts once the mount is up: a daemon that fails to mount never opens a listener
        ControlConfiguration.apply(admin, settings.control(), settings.cacheDir());
        Library library = service(Library.class);
        out.println("musicfs: serving " + library.tree().trackCount() + " tracks at " + Paths.show(settings.mountPoint(), home)
                + " (Ctrl-C to stop)");
        out.flush();
        reload = new ConfigReload(args, env, home, admin, logLevels, settings);
        ServiceRegistration<Lifecycle> lifecycle = context.registerService(Lifecycle.class, new DaemonLifecycle(), null);
        ServiceWatch watch = new ServiceWatch(mount, libraries::getService, health::getService, supervisors::getService, notifier,
                SystemdNotifier.watchdogMicros(env),
                reason -> requestShutdown(new ShutdownRequest(reason, currentDrainTimeout(), EXIT_MOUNT_FAILED)));
        notifier.send("READY=1\nSTATUS=" + watch.status(null) + "\nMAINPID=" + ProcessHandle.current().pid());
        List<AutoCloseable> tasks = new ArrayList<>();
        Supervisor supervisor = supervisors.getService();
        tasks.add(supervise(supervisor, "service watch", watch::run));
        tasks.add(supervise(supervisor, "resource watch", new ResourceWatch(caches::getService)::run));
        tasks.add(supervise(supervisor, "cpu priorities", new IdleThreads()::run));
        Path configFile = CommandLine.configFile(args, home);
        if (configFile != null) {
            ConfigReload reloader = reload;
            tasks.add(supervise(supervisor, "config file watch", () -> reloader.watch(configFile)));
        }
        stop.await();
        for (AutoCloseable task : tasks) {
            close(task);
        }
        try {
            lifecycle.unregister();
        } catch (IllegalStateException gone) {
            // the framework is stopping
        }
        return shutDown(mount);
    }

    /** @return the mount once it serves, or {@code null} when a shutdown was asked for first */
    private Mount awaitMount(ServiceTracker<Mount, Mount> mounts, Settings settings) throws StartupException, InterruptedException {
        long deadline = System.nanoTime() + MOUNT_TIMEOUT.toNanos();
        Mount mount = null;
        while (mount == null || mount.state() == Mount.State.MOUNTING) {
            if (shutdown.get() != null) {
                return null;
            }
            if (System.nanoTime() > deadline) {
                throw new StartupException(mount == null ? "the mount did not start within " + MOUNT_TIMEOUT.toSeconds() + " s; see the log above"
                        : "the mount of " + settings.mountPoint() + " did not come up within " + MOUNT_TIMEOUT.toSeconds() + " s");
            }
            if (mount == null) {
                mount = mounts.waitForService(1000);
            } else {
                mount.awaitSettled(Duration.ofSeconds(1));
            }
        }
        if (mount.state() == Mount.State.FAILED) {
            throw new StartupException(mount.failure());
        }
        return mount;
    }

    private int shutDown(Mount mount) {
        ShutdownRequest request = shutdown.get();
        notifier.send("STOPPING=1\nSTATUS=stopping: " + request.reason());
        OrderedShutdown.guard(request.drain(), mountPoint, 1);
        OrderedShutdown.run(context, mount, request.drain(), request.reason());
        return request.exitCode();
    }

    private AutoCloseable supervise(Supervisor supervisor, String name, SupervisedTask task) {
        if (supervisor != null) {
            return supervisor.supervise(name, task);
        }
        LOG.warn("no supervisor: task '{}' runs unsupervised", name);
        Thread thread = new Thread(() -> {
            try {
                task.run();
            } catch (InterruptedException e) {
                // stopped
            } catch (Exception e) {
                LOG.error("task '{}' failed: {}", name, e.toString(), e);
            }
        }, "musicfs-task-" + name);
        thread.setDaemon(true);
        thread.start();
        return thread::interrupt;
    }

    private static void close(AutoCloseable task) {
        try {
            task.close();
        } catch (Exception e) {
            LOG.debug("stopping a task: {}", e.toString());
        }
    }

    private <T> ServiceTracker<T, T> track(Class<T> type) {
        ServiceTracker<T, T> tracker = new ServiceTracker<>(context, type, null);
        tracker.open();
        trackers.add(tracker);
        return tracker;
    }

    /**
     * Waits for a service. The tracker stays open for the rest of the run: closing it would unget
     * the service, and a Configuration Admin object is unusable once ungot.
     */
    private <T> T service(Class<T> type) throws StartupException, InterruptedException {
        ServiceTracker<T, T> tracker = track(type);
        T service = tracker.waitForService(TimeUnit.SECONDS.toMillis(60));
        if (service == null) {
            throw new StartupException("the " + type.getSimpleName() + " service did not start within 60 s; see the log above");
        }
        return service;
    }

    /** The daemon as the control plane sees it: shutting down through it is the SIGTERM path. */
    private final class DaemonLifecycle implements Lifecycle {

        @Override
        public String version() {
            return context.getBundle().getVersion().toString();
        }

        @Override
        public Instant started() {
            return started;
        }

        @Override
        public void shutdown(Duration drain, String reason) {
            String why = reason == null || reason.isBlank() ? "shutdown requested" : reason;
            if (!requestShutdown(new ShutdownRequest(why, drain != null ? drain : currentDrainTimeout(), 0))) {
                LOG.info("{}: a shutdown is already under way", why);
            }
        }
    }
}
