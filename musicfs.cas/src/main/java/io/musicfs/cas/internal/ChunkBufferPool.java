package io.musicfs.cas.internal;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * Chunk-size direct buffers, reused so the read path allocates nothing, and kept holding the last
 * verified chunks: the kernel asks for 128 KiB at a time, so without this every 1 MiB chunk would be
 * read from disk and hashed eight times over. A buffer released with a verified chunk in it stays
 * findable by the chunk's hash until the buffer is needed for another chunk (least recently used
 * first).
 *
 * <p>A {@link Buffer} is either taken (one owner writes into it), published (it holds a verified
 * chunk, is read-only, and any number of readers pin it), or free. The content of a published
 * buffer never changes while it is pinned; readers copy out of it with absolute gets, never moving
 * its position. At most {@link #capacity()} buffers are kept; when every kept buffer is pinned,
 * {@link #take} allocates a transient one instead of waiting, so no reader ever waits for memory
 * (a wait here could deadlock behind fetches that hold buffers until their origin deadline).
 * Background work that can be skipped (read-ahead) uses {@link #tryTake}, which never allocates
 * beyond the kept buffers, so it cannot grow memory.
 *
 * <p>A published buffer stays findable as long as anyone pins it, even a transient one: the chunk
 * writer pins ({@link #retain}) each chunk it has queued, so a chunk waiting to be written is served
 * from memory until it is on disk. A kept buffer stays findable after its last pin is dropped until
 * it is reused; a transient one is forgotten then.
 *
 * <p>Threading: one monitor ({@code this}) guards all bookkeeping below; it is held for a few map
 * operations only, never for I/O, and no other lock is taken while it is held.
 */
final class ChunkBufferPool {

    /** Marks a buffer that holds no verified chunk. A chunk whose hash is 0 is simply never published. */
    private static final long NO_CHUNK = 0L;

    /**
     * A chunk-size buffer. Fields other than {@link #data} are guarded by the pool's monitor. While
     * published, {@code data}'s limit is the chunk's length and nobody moves it.
     */
    static final class Buffer {
        final ByteBuffer data;
        /** Counted in the pool's {@code kept}, and returned to it on release. */
        private boolean kept;
        private long hash = NO_CHUNK;
        private int length;
        private int pins;

        private Buffer(ByteBuffer data, boolean kept) {
            this.data = data;
            this.kept = kept;
        }
    }

    private final int chunkSize;
    private final int capacity;

    // Guarded by this.
    private final Map<Long, Buffer> published = new HashMap<>();
    /** Published and unpinned, least recently released first: the ones to reuse last. */
    private final LinkedHashSet<Buffer> idleWithChunk = new LinkedHashSet<>();
    /** Unpinned and holding nothing: the ones to reuse first. */
    private final ArrayDeque<Buffer> idleEmpty = new ArrayDeque<>();
    private int kept;
    private long transientAllocations;

    ChunkBufferPool(int chunkSize, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("buffer pool capacity " + capacity);
        }
        this.chunkSize = chunkSize;
        this.capacity = capacity;
    }

    int capacity() {
        return capacity;
    }

    /**
     * @return the buffer holding the verified chunk, pinned for the caller (release it), with
     *     {@code data} from 0 to {@code length}; null when no buffer holds it with that length
     */
    synchronized Buffer pin(long hash, int length) {
        Buffer b = published.get(hash);
        if (b == null || b.length != length) {
            return null;
        }
        if (b.pins++ == 0) {
            idleWithChunk.remove(b);
        }
        return b;
    }

    /** @return a buffer for the caller alone to fill, cleared; release or publish it */
    Buffer take() {
        Buffer b;
        synchronized (this) {
            b = takeKept();
            if (b == null) {
                transientAllocations++;
            }
        }
        if (b == null) {
            b = new Buffer(ChunkStore.allocateChunkBuffer(chunkSize), false);
            b.pins = 1;
        }
        b.data.clear();
        return b;
    }

    /**
     * @return a kept buffer for the caller alone to fill, cleared, or null when every kept buffer is
     *     pinned; never allocates beyond {@link #capacity()}
     */
    Buffer tryTake() {
        Buffer b;
        synchronized (this) {
            b = takeKept();
        }
        if (b != null) {
            b.data.clear();
        }
        return b;
    }

    /** Adds a pin to a buffer the caller holds pinned (taken or pinned), for another owner to release. */
    synchronized void retain(Buffer b) {
        if (b.pins <= 0) {
            throw new IllegalStateException("retaining a buffer nobody holds");
        }
        b.pins++;
    }

    /** Caller holds this. @return a kept buffer, now pinned once and holding nothing, or null */
    private Buffer takeKept() {
        Buffer b = idleEmpty.poll();
        if (b == null && kept < capacity) {
            kept++;
            b = new Buffer(ChunkStore.allocateChunkBuffer(chunkSize), true);
        }
        if (b == null) {
            Iterator<Buffer> lru = idleWithChunk.iterator();
            if (lru.hasNext()) {
                b = lru.next();
                lru.remove();
                published.remove(b.hash);
                b.hash = NO_CHUNK;
            }
        }
        if (b != null) {
            b.pins = 1;
        }
        return b;
    }

    /**
     * Makes a taken buffer, which now holds the verified chunk from 0 to {@code length}, findable by
     * {@link #pin}. The caller keeps its pin. When another buffer already holds the chunk, this one
     * stays private to the caller. A transient buffer is findable only while it is pinned.
     */
    synchronized void publish(Buffer b, long hash, int length) {
        if (hash == NO_CHUNK || b.hash != NO_CHUNK || published.containsKey(hash)) {
            return;
        }
        b.hash = hash;
        b.length = length;
        published.put(hash, b);
    }

    /** Drops the caller's pin. */
    synchronized void release(Buffer b) {
        if (--b.pins > 0) {
            return;
        }
        if (!b.kept) {
            // transient (or abandoned): forgotten, the garbage collector frees it
            if (b.hash != NO_CHUNK) {
                published.remove(b.hash, b);
                b.hash = NO_CHUNK;
            }
            return;
        }
        if (b.hash != NO_CHUNK) {
            idleWithChunk.add(b);
        } else {
            idleEmpty.push(b);
        }
    }

    /**
     * Gives up a taken buffer that something else may still write into (an origin call that missed its
     * deadline keeps running): it is never handed out again and a fresh one replaces it.
     */
    synchronized void abandon(Buffer b) {
        if (b.kept) {
            b.kept = false;
            kept--;
        }
        if (b.hash != NO_CHUNK) {
            published.remove(b.hash, b);
            b.hash = NO_CHUNK;
        }
    }

    /** Makes a published buffer unfindable (its content turned out not to be the only chunk with its hash); pins stay. */
    synchronized void unpublish(Buffer b) {
        if (b.hash != NO_CHUNK) {
            published.remove(b.hash, b);
            idleWithChunk.remove(b);
            b.hash = NO_CHUNK;
            if (b.kept && b.pins == 0) {
                idleEmpty.push(b);
            }
        }
    }

    /**
     * Makes every published buffer whose chunk matches unfindable (the cache was cleared: its chunks
     * must come from the origins again, not from memory). Pinned ones stay with their readers.
     */
    synchronized void forget(LongPredicate chunks) {
        List<Buffer> matching = new ArrayList<>();
        for (Buffer b : published.values()) {
            if (chunks.test(b.hash)) {
                matching.add(b);
            }
        }
        for (Buffer b : matching) {
            unpublish(b);
        }
    }

    /** @return buffers allocated beyond {@link #capacity()} because every kept one was in use */
    synchronized long transientAllocations() {
        return transientAllocations;
    }
}
