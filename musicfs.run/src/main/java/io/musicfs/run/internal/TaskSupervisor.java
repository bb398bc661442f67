package io.musicfs.run.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.musicfs.api.supervision.SupervisedTask;
import io.musicfs.api.supervision.Supervisor;
import io.musicfs.api.supervision.TaskStatus;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Nothing fails silently (resilience.md 2.2, 2.6): runs supervised background tasks and restarts
 * them per policy, restarts components that fail to activate the same way (disable, enable),
 * records bundles that fail to start, and logs uncaught exceptions of every thread.
 *
 * <p>Threads: each task runs on its own "musicfs-task-NAME" thread; restarts and the component
 * check run on one "musicfs-supervisor" scheduler. Task and component records are guarded by
 * their own monitors; the maps are concurrent.
 */
@Component(service = Supervisor.class, immediate = true, configurationPid = TaskSupervisor.PID)
@Designate(ocd = TaskSupervisor.Config.class)
public class TaskSupervisor implements Supervisor {

    static final String PID = "musicfs.supervisor";
    private static final Logger LOG = LoggerFactory.getLogger(TaskSupervisor.class);
    /** the handler installed for every thread; one instance, so deactivation can tell it is still ours */
    static final Thread.UncaughtExceptionHandler UNCAUGHT = TaskSupervisor::uncaught;
    /** how often SCR is asked for components that failed to activate */
    private static final long COMPONENT_CHECK_MILLIS = 1_000;

    @ObjectClassDefinition(name = "MusicFS supervisor", description = "Restart policy of background tasks and components")
    public @interface Config {
        @AttributeDefinition(name = "Restart delays", description = "Milliseconds before each restart; their number is "
                + "the most restarts before the task is reported failed")
        long[] restartDelaysMillis() default {0, 1_000, 5_000, 30_000, 30_000};
    }

    private volatile EventAdmin events;
    private volatile ServiceComponentRuntime scr;

    private final Map<String, Supervised> tasks = new ConcurrentHashMap<>();
    private final Map<String, Failure> failures = new ConcurrentHashMap<>();
    private volatile long[] delays;
    private volatile boolean active;
    private ScheduledExecutorService scheduler;
    private BundleContext context;
    private FrameworkListener frameworkListener;
    private Thread.UncaughtExceptionHandler previousHandler;
    private final FailTask faults = FailTask.fromSystemProperties();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void setEvents(EventAdmin events) {
        this.events = events;
    }

    void unsetEvents(EventAdmin gone) {
        if (events == gone) {
            events = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void setScr(ServiceComponentRuntime scr) {
        this.scr = scr;
    }

    void unsetScr(ServiceComponentRuntime gone) {
        if (scr == gone) {
            scr = null;
        }
    }

    @Activate
    void activate(BundleContext context, Config config) {
        configure(config);
        this.context = context;
        previousHandler = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler(UNCAUGHT);
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "musicfs-supervisor");
            t.setDaemon(true);
            return t;
        });
        active = true;
        frameworkListener = this::frameworkEvent;
        context.addFrameworkListener(frameworkListener);
        scheduler.scheduleWithFixedDelay(this::checkComponents, COMPONENT_CHECK_MILLIS, COMPONENT_CHECK_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Modified
    void configure(Config config) {
        long[] configured = config.restartDelaysMillis();
        if (configured == null) {
            configured = new long[0];
        }
        for (long delay : configured) {
            if (delay < 0) {
                throw new IllegalArgumentException("restartDelaysMillis: " + delay + " is negative");
            }
        }
        delays = configured.clone();
    }

    @Deactivate
    void deactivate() {
        active = false;
        context.removeFrameworkListener(frameworkListener);
        scheduler.shutdownNow();
        for (Supervised task : tasks.values()) {
            task.stop();
        }
        tasks.clear();
        if (Thread.getDefaultUncaughtExceptionHandler() == UNCAUGHT && previousHandler != UNCAUGHT) {
            Thread.setDefaultUncaughtExceptionHandler(previousHandler);
        }
    }

    /** An exception nobody caught: logged with the thread and the stack before anything else happens. */
    static void uncaught(Thread thread, Throwable error) {
        LOG.error("uncaught {} in thread '{}' (id {}, {}daemon, group {}): {}", error.getClass().getName(), thread.getName(),
                thread.getId(), thread.isDaemon() ? "" : "non-", thread.getThreadGroup() == null ? "none" : thread.getThreadGroup().getName(),
                error.getMessage(), error);
    }

    // Tasks

    @Override
    public AutoCloseable supervise(String name, SupervisedTask task) {
        if (!active) {
            throw new IllegalStateException("the supervisor is stopped; task '" + name + "' not started");
        }
        Supervised supervised = new Supervised(name, task);
        Supervised earlier = tasks.put(name, supervised);
        if (earlier != null) {
            earlier.stop();
        }
        supervised.start();
        return () -> {
            tasks.remove(name, supervised);
            supervised.stop();
        };
    }

    @Override
    public List<TaskStatus> tasks() {
        List<TaskStatus> all = new ArrayList<>();
        tasks.values().forEach(task -> all.add(task.status()));
        failures.values().forEach(failure -> all.add(failure.status()));
        all.sort((a, b) -> a.name().compareTo(b.name()));
        return all;
    }

    /** @return the tasks, components and bundles that need a person now */
    List<TaskStatus> failed() {
        return tasks().stream().filter(t -> t.state() == TaskStatus.State.FAILED).toList();
    }

    private void post(String name, TaskStatus.Kind kind, TaskStatus.State state, String error) {
        EventAdmin admin = events;
        if (admin != null) {
            Map<String, Object> props = new HashMap<>();
            props.put("name", name);
            props.put("kind", kind.name());
            props.put("state", state.name());
            if (error != null) {
                props.put("error", error);
            }
            admin.postEvent(new Event(TOPIC_TASK_STATE, props));
        }
    }

    /** One supervised task. Its fields are guarded by its monitor. */
    private final class Supervised {
        final String name;
        final SupervisedTask task;
        private TaskStatus.State state = TaskStatus.State.RUNNING;
        private int restarts;
        private String lastError;
        private Instant since = Instant.now();
        private Thread thread;
        private ScheduledFuture<?> pending;
        private boolean stopped;

        Supervised(String name, SupervisedTask task) {
            this.name = name;
            this.task = task;
        }

        synchronized void start() {
            if (stopped) {
                return;
            }
            thread = new Thread(this::runOnce, "musicfs-task-" + name);
            thread.setDaemon(true);
            enter(TaskStatus.State.RUNNING);
            thread.start();
        }

        private void runOnce() {
            Throwable error = null;
            try {
                faults.beforeRun(name);
                task.run();
            } catch (InterruptedException e) {
                error = e;
            } catch (Throwable t) { // a supervised task's failure of any kind is the supervisor's to report
                error = t;
            }
            synchronized (this) {
                if (stopped || !active) {
                    enter(TaskStatus.State.STOPPED);
                    return;
                }
                lastError = error == null ? "returned although it should run until stopped" : oneLine(error);
                long[] policy = delays;
                if (restarts >= policy.length) {
                    enter(TaskStatus.State.FAILED);
                    LOG.error("task '{}' failed again ({}) after {} restarts; not restarted again: it needs a person", name, lastError,
                            restarts, error);
                    post(name, TaskStatus.Kind.TASK, TaskStatus.State.FAILED, lastError);
                    return;
                }
                long delay = policy[restarts++];
                enter(TaskStatus.State.RESTARTING);
                LOG.error("task '{}' failed: {}; restart {} of {} in {} ms", name, lastError, restarts, policy.length, delay, error);
                post(name, TaskStatus.Kind.TASK, TaskStatus.State.RESTARTING, lastError);
                try {
                    pending = scheduler.schedule(this::start, delay, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.RejectedExecutionException stopping) {
                    enter(TaskStatus.State.STOPPED);
                }
            }
        }

        synchronized void stop() {
            stopped = true;
            if (pending != null) {
                pending.cancel(false);
            }
            if (thread != null) {
                thread.interrupt();
            }
            enter(TaskStatus.State.STOPPED);
        }

        private void enter(TaskStatus.State next) {
            if (state != next) {
                since = Instant.now();
            }
            state = next;
        }

        synchronized TaskStatus status() {
            return new TaskStatus(name, TaskStatus.Kind.TASK, state, restarts, lastError, since);
        }
    }

    // Components and bundles

    private void checkComponents() {
        ServiceComponentRuntime runtime = scr;
        if (runtime == null) {
            return;
        }
        try {
            boolean recovered = false;
            for (ComponentDescriptionDTO description : runtime.getComponentDescriptionDTOs()) {
                recovered |= checkComponent(runtime, description);
            }
            if (recovered) {
                // A component that failed while this one was down (its service missing) need not sit out its
                // back-off: seen in the same pass, its failure may be older than the recovery.
                failures.values().forEach(f -> {
                    if (f.kind == TaskStatus.Kind.COMPONENT) {
                        f.restartNowIfWaiting();
                    }
                });
            }
        } catch (RuntimeException e) {
            LOG.warn("supervisor: cannot check the components' state: {}", e.toString());
        }
    }

    /** @return whether the component is active again after a failure */
    private boolean checkComponent(ServiceComponentRuntime runtime, ComponentDescriptionDTO description) {
        String failure = null;
        boolean active = false;
        for (ComponentConfigurationDTO configuration : runtime.getComponentConfigurationDTOs(description)) {
            if (configuration.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
                failure = configuration.failure;
            } else if (configuration.state == ComponentConfigurationDTO.ACTIVE
                    || configuration.state == ComponentConfigurationDTO.SATISFIED) {
                active = true;
            }
        }
        String key = "component " + description.name;
        Failure known = failures.get(key);
        if (failure != null && (known == null || known.awaitingCheck())) {
            Failure record = known != null ? known : new Failure(description.name, TaskStatus.Kind.COMPONENT);
            failures.putIfAbsent(key, record);
            record.failed(firstLine(failure), "component " + description.name + " of bundle " + description.bundle.symbolicName
                    + " failed to activate", failure, () -> restartComponent(runtime, description));
        } else if (failure == null && active && known != null && known.state() != TaskStatus.State.RUNNING) {
            known.recovered("component " + description.name + " is active again");
            return true;
        }
        return false;
    }

    private void restartComponent(ServiceComponentRuntime runtime, ComponentDescriptionDTO description) {
        try {
            runtime.disableComponent(description).getValue();
            runtime.enableComponent(description).getValue();
        } catch (java.lang.reflect.InvocationTargetException | InterruptedException | RuntimeException e) {
            LOG.warn("supervisor: restarting component {} failed: {}", description.name, e.toString());
        }
    }

    private void frameworkEvent(FrameworkEvent event) {
        Bundle bundle = event.getBundle();
        if (event.getType() == FrameworkEvent.ERROR && bundle != null && bundle.getBundleId() != 0) {
            String reason = event.getThrowable() == null ? "no reason given" : oneLine(event.getThrowable());
            String name = bundle.getSymbolicName() + " " + bundle.getVersion();
            if (event.getThrowable() instanceof org.osgi.framework.BundleException) {
                LOG.error("bundle {} (id {}, {}) failed: {}", name, bundle.getBundleId(), bundle.getLocation(), reason, event.getThrowable());
                Failure record = failures.computeIfAbsent("bundle " + name, k -> new Failure(name, TaskStatus.Kind.BUNDLE));
                record.reportFailed(reason);
            } else {
                // for example a service factory (a component) that failed while this bundle asked for its service
                LOG.error("error reported to bundle {} (id {}) while it used a service: {}", name, bundle.getBundleId(), reason);
            }
        } else if (event.getType() == FrameworkEvent.STARTED || event.getType() == FrameworkEvent.STARTLEVEL_CHANGED) {
            checkBundles();
        }
    }

    /** After the framework started: a bundle that should run and does not is reported. */
    private void checkBundles() {
        for (Bundle bundle : context.getBundles()) {
            boolean fragment = bundle.getHeaders("").get("Fragment-Host") != null;
            if (!fragment && bundle.getState() != Bundle.ACTIVE && bundle.getState() != Bundle.STARTING
                    && bundle.getState() != Bundle.STOPPING && bundle.getState() != Bundle.UNINSTALLED) {
                String name = bundle.getSymbolicName() + " " + bundle.getVersion();
                String reason = bundle.getState() == Bundle.INSTALLED ? "not resolved (missing requirements)" : "resolved but not started";
                if (failures.putIfAbsent("bundle " + name, new Failure(name, TaskStatus.Kind.BUNDLE)) == null) {
                    LOG.error("bundle {} (id {}) is not running: {}", name, bundle.getBundleId(), reason);
                    failures.get("bundle " + name).reportFailed(reason);
                }
            }
        }
    }

    /** A component or bundle that failed: restarted per the same policy where that is possible. Guarded by its monitor. */
    private final class Failure {
        final String name;
        final TaskStatus.Kind kind;
        private TaskStatus.State state = TaskStatus.State.FAILED;
        private int restarts;
        private String lastError;
        private Instant since = Instant.now();
        /** a restart was made: the next check decides whether it worked */
        private boolean restartDone = true;
        /** the restart waiting for its back-off, and its scheduled run (null before the first failure) */
        private Runnable pendingRestart;
        private ScheduledFuture<?> pendingRestartFuture;

        Failure(String name, TaskStatus.Kind kind) {
            this.name = name;
            this.kind = kind;
        }

        synchronized boolean awaitingCheck() {
            return restartDone && state != TaskStatus.State.FAILED;
        }

        synchronized TaskStatus.State state() {
            return state;
        }

        synchronized void failed(String error, String what, String detail, Runnable restart) {
            lastError = error;
            restartDone = false;
            long[] policy = delays;
            if (restarts >= policy.length) {
                state = TaskStatus.State.FAILED;
                since = Instant.now();
                LOG.error("{} again after {} restarts; not restarted again: it needs a person. {}", what, restarts, detail);
                post(name, kind, state, lastError);
                return;
            }
            long delay = policy[restarts++];
            state = TaskStatus.State.RESTARTING;
            since = Instant.now();
            LOG.error("{}; restart {} of {} in {} ms. {}", what, restarts, policy.length, delay, detail);
            post(name, kind, state, lastError);
            pendingRestart = restart;
            pendingRestartFuture = scheduler.schedule(this::runPendingRestart, delay, TimeUnit.MILLISECONDS);
        }

        /** Runs a restart that waits for its back-off now; cancelling the scheduled run makes sure it runs once. */
        void restartNowIfWaiting() {
            synchronized (this) {
                if (pendingRestartFuture == null || !pendingRestartFuture.cancel(false)) {
                    return; // none waits: it ran already, or nothing failed
                }
                LOG.info("{}: restarted now, without waiting for its back-off, as a component it may need is active again", name);
            }
            scheduler.execute(this::runPendingRestart);
        }

        private void runPendingRestart() {
            Runnable restart;
            synchronized (this) {
                restart = pendingRestart;
            }
            restart.run();
            synchronized (this) {
                restartDone = true;
            }
        }

        synchronized void reportFailed(String error) {
            lastError = error;
            state = TaskStatus.State.FAILED;
            since = Instant.now();
            post(name, kind, state, lastError);
        }

        synchronized void recovered(String message) {
            LOG.info("{} after {} restarts", message, restarts);
            state = TaskStatus.State.RUNNING;
            since = Instant.now();
            post(name, kind, state, null);
        }

        synchronized TaskStatus status() {
            return new TaskStatus(name, kind, state, restarts, lastError, since);
        }
    }

    static String oneLine(Throwable error) {
        String message = error.getMessage();
        return error.getClass().getSimpleName() + (message == null ? "" : ": " + firstLine(message));
    }

    private static String firstLine(String text) {
        return text.lines().findFirst().orElse("").strip();
    }

    /**
     * Fault point for process-level tests: {@code -Dmusicfs.fault.supervisor.failTask=NAME:N} makes
     * the first N runs of the task called NAME throw before the task runs. Off when unset.
     */
    record FailTask(String name, java.util.concurrent.atomic.AtomicInteger left) {

        static FailTask fromSystemProperties() {
            String spec = System.getProperty("musicfs.fault.supervisor.failTask");
            if (spec == null || spec.lastIndexOf(':') < 0) {
                return new FailTask(null, new java.util.concurrent.atomic.AtomicInteger());
            }
            int colon = spec.lastIndexOf(':');
            return new FailTask(spec.substring(0, colon), new java.util.concurrent.atomic.AtomicInteger(Integer.parseInt(spec.substring(colon + 1))));
        }

        void beforeRun(String task) {
            if (name != null && name.equals(task) && left.getAndDecrement() > 0) {
                throw new IllegalStateException("fault point musicfs.fault.supervisor.failTask");
            }
        }

        @Override
        public String toString() {
            return Arrays.toString(new Object[] {name, left});
        }
    }
}
