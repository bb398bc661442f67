package io.musicfs.cas.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

import io.musicfs.api.content.Manifest;
import io.musicfs.api.content.ManifestStore;
import io.musicfs.api.library.TrackFile;

/** The manifest store contract in memory: a manifest of another version of the file is dropped. */
final class MemoryManifestStore implements ManifestStore {

    private final Map<Long, Manifest> byFileId = new HashMap<>();
    final AtomicInteger loads = new AtomicInteger();
    final AtomicInteger dropped = new AtomicInteger();

    @Override
    public synchronized Manifest load(TrackFile file, int chunkSize) {
        loads.incrementAndGet();
        return current(file, chunkSize);
    }

    @Override
    public synchronized void recordChunk(TrackFile file, int chunkSize, int index, long hash) {
        long[] hashes = current(file, chunkSize).hashes();
        hashes[index] = hash;
        byFileId.put(file.fileId(), manifest(file, chunkSize, hashes));
    }

    /** Caller holds this. */
    private Manifest current(TrackFile file, int chunkSize) {
        Manifest m = byFileId.get(file.fileId());
        if (m != null && sameVersion(m, file, chunkSize)) {
            return m;
        }
        if (m != null) {
            dropped.incrementAndGet();
        }
        m = manifest(file, chunkSize, new long[Manifest.chunkCount(file.size(), chunkSize)]);
        byFileId.put(file.fileId(), m);
        return m;
    }

    private static boolean sameVersion(Manifest m, TrackFile file, int chunkSize) {
        return m.size() == file.size() && m.mtimeMillis() == file.mtimeMillis() && Objects.equals(m.etag(), file.etag())
                && m.chunkSize() == chunkSize;
    }

    private static Manifest manifest(TrackFile file, int chunkSize, long[] hashes) {
        return new Manifest(file.fileId(), file.size(), file.mtimeMillis(), file.etag(), chunkSize, hashes);
    }
}
