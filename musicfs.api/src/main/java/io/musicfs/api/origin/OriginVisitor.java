package io.musicfs.api.origin;

import java.io.IOException;

import org.osgi.annotation.versioning.ConsumerType;

/** Receives the files of an {@link Origin#walk walk}, on the walking thread. */
@ConsumerType
public interface OriginVisitor {

    /** One regular file. */
    void file(OriginEntry entry);

    /** A part of the origin that could not be read (a directory without permission, a broken link); the walk goes on. */
    default void problem(String path, IOException cause) {
    }
}
