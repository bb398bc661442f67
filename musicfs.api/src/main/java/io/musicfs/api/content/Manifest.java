package io.musicfs.api.content;

import java.util.Arrays;

/**
 * The chunks of one version of one file: chunk {@code i} covers bytes
 * {@code [i * chunkSize, min(size, (i + 1) * chunkSize))} and has the xxHash64 {@code hashes[i]},
 * or {@link #UNKNOWN} when it was never fetched.
 *
 * @param fileId the catalogued file
 * @param size the size of the version this manifest describes
 * @param mtimeMillis the modification time of that version
 * @param etag the content tag of that version, or {@code null}
 * @param chunkSize the chunk size the manifest was cut with
 * @param hashes one entry per chunk
 */
public record Manifest(long fileId, long size, long mtimeMillis, String etag, int chunkSize, long[] hashes) {

    /** Marks a chunk that was never fetched. A chunk whose real hash is 0 is simply never recorded. */
    public static final long UNKNOWN = 0L;

    public Manifest {
        hashes = hashes.clone();
    }

    /** @return the number of chunks a file of {@code size} bytes has */
    public static int chunkCount(long size, int chunkSize) {
        return (int) ((size + chunkSize - 1) / chunkSize);
    }

    /** @return the hash of chunk {@code index}, or {@link #UNKNOWN} */
    public long hash(int index) {
        return hashes[index];
    }

    @Override
    public long[] hashes() {
        return hashes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Manifest m && fileId == m.fileId && size == m.size && mtimeMillis == m.mtimeMillis
                && java.util.Objects.equals(etag, m.etag) && chunkSize == m.chunkSize && Arrays.equals(hashes, m.hashes);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(fileId) * 31 + Arrays.hashCode(hashes);
    }
}
