package io.musicfs.cas.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one chunk cache. Chunk count and bytes are what is on disk: exact once the store's
 * start-up inventory has run ({@link #inventoryComplete()}), a lower bound before. Hits and misses
 * count chunks asked for by reads since start: a hit was served from memory or disk, a miss had to
 * wait for a fetch from an origin (its own or another reader's). A chunk that read-ahead brought in
 * before the reader asked for it is a hit. {@link CacheGuard} reads them for the size limit and the status.
 *
 * <p>Threading: lock-free; any thread may update or read at any time. A reading of several counters
 * is not one consistent snapshot.
 */
public final class CacheStats {

    private final AtomicLong chunks = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder badChunks = new LongAdder();
    private final LongAdder readAheads = new LongAdder();
    private final LongAdder writesSkipped = new LongAdder();
    private final LongAdder writesAbandoned = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder writesRefused = new LongAdder();
    private volatile boolean inventoryComplete;

    /** @return chunk files in the store */
    public long chunks() {
        return chunks.get();
    }

    /** @return bytes of chunk files in the store */
    public long bytes() {
        return bytes.get();
    }

    /** @return chunks served without asking an origin */
    public long hits() {
        return hits.sum();
    }

    /** @return chunks fetched from an origin */
    public long misses() {
        return misses.sum();
    }

    /** @return chunk files found with a wrong length or hash, or unreadable, and deleted */
    public long badChunks() {
        return badChunks.sum();
    }

    /** @return chunks that read-ahead brought into memory (from an origin or disk) before a reader asked for them */
    public long readAheads() {
        return readAheads.sum();
    }

    /** @return fetched chunks served but not cached because the write queue was full */
    public long writesSkipped() {
        return writesSkipped.sum();
    }

    /** @return queued chunk writes dropped at stop, neither written nor recorded */
    public long writesAbandoned() {
        return writesAbandoned.sum();
    }

    /** @return chunks deleted to keep the cache under its size limit */
    public long evictions() {
        return evictions.sum();
    }

    /** @return fetched chunks served but not cached because the cache was near its limit, its disk low or in passthrough */
    public long writesRefused() {
        return writesRefused.sum();
    }

    /** @return whether {@link #chunks()} and {@link #bytes()} include what earlier runs left */
    public boolean inventoryComplete() {
        return inventoryComplete;
    }

    void chunkAdded(long size) {
        chunks.incrementAndGet();
        bytes.addAndGet(size);
    }

    void chunkRemoved(long size) {
        chunks.decrementAndGet();
        bytes.addAndGet(-size);
    }

    /** Sets the counts to what a full walk of the disk found. */
    void reset(long chunkCount, long byteCount) {
        chunks.set(chunkCount);
        bytes.set(byteCount);
    }

    void evicted(int n) {
        evictions.add(n);
    }

    void writeRefused() {
        writesRefused.increment();
    }

    private final LongAdder originBytes = new LongAdder();
    private final LongAdder servedBytes = new LongAdder();

    /** @return bytes fetched from origins since start */
    public long originBytes() {
        return originBytes.sum();
    }

    /** @return bytes handed to readers since start */
    public long servedBytes() {
        return servedBytes.sum();
    }

    void fetched(long bytes) {
        originBytes.add(bytes);
    }

    void served(long bytes) {
        servedBytes.add(bytes);
    }

    void hit() {
        hits.increment();
    }

    void miss() {
        misses.increment();
    }

    void badChunk() {
        badChunks.increment();
    }

    void readAhead() {
        readAheads.increment();
    }

    void writeSkipped() {
        writesSkipped.increment();
    }

    void writesAbandoned(long n) {
        writesAbandoned.add(n);
    }

    void inventoryDone() {
        inventoryComplete = true;
    }

    @Override
    public String toString() {
        return chunks() + " chunks, " + bytes() + " bytes" + (inventoryComplete ? "" : " (inventory running)")
                + ", " + hits() + " hits, " + misses() + " misses, " + badChunks() + " bad chunks, " + readAheads() + " read ahead, "
                + writesSkipped() + " writes skipped (queue full), " + writesRefused() + " writes refused (limit, disk), "
                + evictions() + " evicted, " + writesAbandoned() + " writes abandoned at stop";
    }
}
