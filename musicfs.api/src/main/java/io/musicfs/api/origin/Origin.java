package io.musicfs.api.origin;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.function.Consumer;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * One configured source of music files, seen as a tree of regular files addressed by relative
 * paths with {@code /} separators (no leading slash). Implementations are registered as services
 * with the properties {@link #PROP_ID}, {@link #PROP_TYPE} and {@link #PROP_PRIORITY}; they come
 * and go at any moment, and every user tolerates that.
 *
 * <p>Methods may be called from many threads at once. None of them is given a deadline here: the
 * caller enforces one, so an implementation must stay interruptible or bounded where it can.
 */
@ConsumerType
public interface Origin {

    /** Service property: the origin's id, unique in the configuration. */
    String PROP_ID = "origin.id";
    /** Service property: the origin's type ({@code local}, {@code s3}, {@code sftp}). */
    String PROP_TYPE = "origin.type";
    /** Service property: the priority, lower numbers are preferred. */
    String PROP_PRIORITY = "origin.priority";

    /** @return the configured id, unique among origins, stable across restarts */
    String id();

    /** @return the origin type, for example {@code local} */
    String type();

    /** @return the priority; among origins holding a file the lowest number is preferred */
    int priority();

    /** @return whether the origin is reached over a network (longer deadlines, more lenient health thresholds) */
    boolean remote();

    /**
     * Reports every regular file of the origin, recursively, to the visitor. Unreadable parts are
     * reported through {@link OriginVisitor#problem} and skipped; the walk goes on.
     *
     * @throws IOException when the origin as a whole cannot be listed (root missing or unreadable,
     *     server unreachable); the message names the origin and the cause
     */
    void walk(OriginVisitor visitor) throws IOException;

    /**
     * @return the current identity of one file
     * @throws java.nio.file.NoSuchFileException when the file does not exist
     */
    OriginEntry stat(String path) throws IOException;

    /**
     * Reads bytes of a file starting at {@code offset} into {@code dst}, filling it up to its
     * remaining capacity unless the file ends first.
     *
     * @return the number of bytes read, or -1 when {@code offset} is at or past the end of the file
     * @throws java.nio.file.NoSuchFileException when the file does not exist
     */
    int read(String path, long offset, ByteBuffer dst) throws IOException;

    /**
     * A cheap liveness check (stat of the root, a HEAD of the bucket).
     *
     * @throws IOException when the origin cannot currently serve
     */
    void probe() throws IOException;

    /**
     * Starts watching the origin for changes, where the origin type can push them.
     *
     * @return a handle that stops the watch when closed, or empty when changes must be polled
     */
    default Optional<OriginWatch> watch(Consumer<OriginChange> listener) throws IOException {
        return Optional.empty();
    }
}
