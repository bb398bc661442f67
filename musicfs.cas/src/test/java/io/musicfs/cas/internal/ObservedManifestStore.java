package io.musicfs.cas.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.musicfs.api.content.Manifest;
import io.musicfs.api.content.ManifestStore;
import io.musicfs.api.library.TrackFile;

/**
 * The in-memory manifest store, watched: every record call first checks that the chunks it indexes
 * are already complete under their names in the chunk store (the "written, fsynced and renamed
 * before it is indexed" order), and can be slowed down like a database commit (once per call).
 */
final class ObservedManifestStore implements ManifestStore {

    final MemoryManifestStore delegate = new MemoryManifestStore();
    private final Path cacheDir;
    final AtomicInteger records = new AtomicInteger();
    /** When each record call (one database commit) started, {@link System#nanoTime}. */
    final List<Long> commitStarts = new CopyOnWriteArrayList<>();
    /** Records of a chunk that was not complete on disk at the time. */
    final List<String> indexedBeforeWritten = new CopyOnWriteArrayList<>();
    volatile long recordDelayMillis;

    ObservedManifestStore(Path cacheDir) {
        this.cacheDir = cacheDir;
    }

    @Override
    public Manifest load(TrackFile file, int chunkSize) {
        return delegate.load(file, chunkSize);
    }

    @Override
    public void recordChunk(TrackFile file, int chunkSize, int index, long hash) throws IOException {
        recordChunks(file, chunkSize, new int[] {index}, new long[] {hash});
    }

    /** One commit: checked chunk by chunk, slowed down once, then all recorded. */
    @Override
    public void recordChunks(TrackFile file, int chunkSize, int[] indexes, long[] hashes) throws IOException {
        commitStarts.add(System.nanoTime());
        for (int i = 0; i < indexes.length; i++) {
            if (!completeOnDisk(hashes[i])) {
                indexedBeforeWritten.add("chunk " + indexes[i] + " of " + file.path() + " (" + ChunkStore.name(hashes[i]) + ")");
            }
        }
        long delay = recordDelayMillis;
        if (delay > 0) {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("slow commit interrupted");
            }
        }
        for (int i = 0; i < indexes.length; i++) {
            delegate.recordChunk(file, chunkSize, indexes[i], hashes[i]);
        }
        records.addAndGet(indexes.length);
    }

    /** @return the recorded hashes of the file's version */
    long[] hashes(TrackFile file, int chunkSize) {
        return delegate.load(file, chunkSize).hashes();
    }

    /** @return whether the chunk file of this hash exists under its name with exactly the content that hashes to it */
    boolean completeOnDisk(long hash) throws IOException {
        String name = ChunkStore.name(hash);
        Path path = cacheDir.resolve(ChunkStore.CHUNKS_DIR).resolve(name.substring(0, 2)).resolve(name.substring(2, 4)).resolve(name);
        if (!Files.isRegularFile(path)) {
            return false;
        }
        byte[] bytes = Files.readAllBytes(path);
        ByteBuffer direct = ChunkStore.allocateChunkBuffer(bytes.length);
        direct.put(bytes).flip();
        return ChunkStore.hash(direct) == hash;
    }
}
