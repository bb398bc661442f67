package io.musicfs.api.supervision;

import java.time.Instant;

/**
 * A supervised task, or a component or bundle that failed.
 *
 * @param name the task's name, or the component's or bundle's symbolic name
 * @param kind what it is
 * @param state where it stands
 * @param restarts restarts so far
 * @param lastError the last failure, one line, or {@code null}
 * @param since when it entered its state
 */
public record TaskStatus(String name, Kind kind, State state, int restarts, String lastError, Instant since) {

    public enum Kind { TASK, COMPONENT, BUNDLE }

    public enum State {
        RUNNING,
        /** failed, waiting for its next restart */
        RESTARTING,
        /** failed more often than the policy allows, or failed to activate or start: needs a person */
        FAILED,
        STOPPED
    }
}
