package io.musicfs.api.supervision;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Runs critical background tasks and restarts them when they fail (at once, then after 1 s, 5 s,
 * 30 s, at most 5 times, then reported failed), and tracks components and bundles that failed.
 */
@ProviderType
public interface Supervisor {

    /** Event Admin topic sent when a task or component changes state; properties {@code name}, {@code kind}, {@code state}, {@code error}. */
    String TOPIC_TASK_STATE = "io/musicfs/supervision/TASK_STATE";

    /**
     * Starts a task on its own thread; when it throws, or returns while not stopped, it is
     * restarted per policy.
     *
     * @param name what the operator reads, for example "sync of origin nas"
     * @return a handle that stops the task (interrupting it) and forgets it
     */
    AutoCloseable supervise(String name, SupervisedTask task);

    /** @return every supervised task and every failed component or bundle, now */
    List<TaskStatus> tasks();
}
