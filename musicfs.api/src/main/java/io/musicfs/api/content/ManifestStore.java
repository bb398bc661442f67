package io.musicfs.api.content;

import java.io.IOException;

import io.musicfs.api.library.TrackFile;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Persists manifests. A manifest belongs to one version of a file: asking for a file whose
 * identity (size, mtime, etag) differs from the stored manifest's drops the old manifest, so a
 * changed origin file is never mixed with old chunks.
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

    /** Forgets a chunk hash (the chunk was found bad or missing and is being refetched). */
    void forgetChunk(TrackFile file, int index) throws IOException;
}
