package io.musicfs.api.cache;

import org.osgi.annotation.versioning.ConsumerType;

/** Told how far a long operation got. Called from the working thread; must return quickly. */
@ConsumerType
@FunctionalInterface
public interface Progress {

    /**
     * @param done units done so far
     * @param total units in all, or {@code -1} when not known yet
     */
    void update(long done, long total);
}
