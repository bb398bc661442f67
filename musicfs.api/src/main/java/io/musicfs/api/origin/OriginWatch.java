package io.musicfs.api.origin;

import org.osgi.annotation.versioning.ConsumerType;

/** A running watch of an origin; closing it stops the watch and its threads. */
@ConsumerType
public interface OriginWatch extends AutoCloseable {

    @Override
    void close();
}
