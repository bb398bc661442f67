package io.musicfs.api.content;

import java.io.IOException;

import io.musicfs.api.library.TrackFile;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Persists manifests. A manifest belongs to one version of a file: asking for a file whose
 * identity (size, mtime, etag) differs from the stored manifest's drops the old manifest, so a
 * changed origin file is never mixed with old chunks. A recorded hash stays while the chunk is
 * evicted, lost or bad in the cache: it still names the file's bytes there.
 */
@ProviderType
public interface ManifestStore {

    /**
     * @return the manifest of the file's current version; a new one with every chunk
     *     {@link Manifest#UNKNOWN} when none is stored or the stored one is for another version
     */
    Manifest load(TrackFile file, int chunkSize) throws IOException;

    /** Records the hash of one chunk of the file's current version. */
    void recordChunk(TrackFile file, int chunkSize, int index, long hash) throws IOException;

    /**
     * Records the hashes of several chunks of the file's current version, all or none: chunk
     * {@code indexes[i]} hashes to {@code hashes[i]}. A store that keeps manifests in a database
     * does it in one transaction, where one call per chunk costs a commit each.
     *
     * @throws IllegalArgumentException when the arrays differ in length or an index is outside the file
     */
    default void recordChunks(TrackFile file, int chunkSize, int[] indexes, long[] hashes) throws IOException {
        if (indexes.length != hashes.length) {
            throw new IllegalArgumentException(indexes.length + " chunk indexes but " + hashes.length + " hashes");
        }
        for (int i = 0; i < indexes.length; i++) {
            recordChunk(file, chunkSize, indexes[i], hashes[i]);
        }
    }
}
