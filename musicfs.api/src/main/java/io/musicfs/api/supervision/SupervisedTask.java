package io.musicfs.api.supervision;

import org.osgi.annotation.versioning.ConsumerType;

/** A long-running background task: runs until interrupted; throwing counts as a failure. */
@ConsumerType
@FunctionalInterface
public interface SupervisedTask {

    void run() throws Exception;
}
