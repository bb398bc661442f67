package io.musicfs.cas.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongPredicate;

/**
 * The chunks on disk as the size limit sees them: each chunk's size and when it was last read. It
 * is built from the chunk files themselves (the {@link ChunkStore}'s inventory reads each file's
 * size and modification time) and kept in step by the store's own adds and removes, so it never
 * disagrees with the disk for long and needs no file of its own that could be damaged: a chunk's
 * last access is persisted as its file's modification time, in batches ({@link ChunkStore#persistAccess}),
 * and read back at start.
 *
 * <p>Threading: lock-free map; an entry's access time is a volatile written by any reader. The
 * counts in {@link CacheStats} are updated by the callers of {@link #added}/{@link #removed}, which
 * hold the chunk's shard monitor in the store, so add and remove of one chunk never interleave.
 */
final class ChunkIndex {

    /** Reads of a chunk closer together than this are one access: the read path writes a volatile at most this often per chunk. */
    static final long ACCESS_RESOLUTION_MILLIS = 1_000;

    /** One chunk on disk. {@code size} is fixed; {@code lastAccess} moves forward; {@code persisted} trails it. */
    static final class Entry {
        final long hash;
        final long size;
        volatile long lastAccessMillis;
        volatile long persistedMillis;

        Entry(long hash, long size, long lastAccessMillis) {
            this.hash = hash;
            this.size = size;
            this.lastAccessMillis = lastAccessMillis;
            this.persistedMillis = lastAccessMillis;
        }
    }

    private final ConcurrentHashMap<Long, Entry> entries = new ConcurrentHashMap<>();

    /** A chunk file is on disk (written, or found by the inventory with its modification time). @return false when it was known already */
    boolean added(long hash, long size, long lastAccessMillis) {
        return entries.putIfAbsent(hash, new Entry(hash, size, lastAccessMillis)) == null;
    }

    /** @return the entry that was removed, or null */
    Entry removed(long hash) {
        return entries.remove(hash);
    }

    /** A reader used the chunk now. */
    void accessed(long hash, long nowMillis) {
        Entry e = entries.get(hash);
        if (e != null && nowMillis - e.lastAccessMillis >= ACCESS_RESOLUTION_MILLIS) {
            e.lastAccessMillis = nowMillis;
        }
    }

    boolean contains(long hash) {
        return entries.containsKey(hash);
    }

    Entry get(long hash) {
        return entries.get(hash);
    }

    int size() {
        return entries.size();
    }

    /** @return every entry now, in no order */
    List<Entry> snapshot() {
        return new ArrayList<>(entries.values());
    }

    /** @return entries whose access time is newer than what is persisted */
    List<Entry> unpersisted() {
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries.values()) {
            if (e.lastAccessMillis != e.persistedMillis) {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * @param keepLast chunks to put at the end whatever their age (those of files being read now)
     * @param sinceMillis chunks added or read at or after this time also go at the end: {@code keepLast}
     *     is a snapshot, and a chunk written after it was taken belongs to a read going on now
     * @return the chunks in eviction order: least recently used first, then the kept ones, least recently used first
     */
    List<Entry> evictionOrder(LongPredicate keepLast, long sinceMillis) {
        List<Entry> first = new ArrayList<>();
        List<Entry> last = new ArrayList<>();
        for (Entry e : entries.values()) {
            (keepLast.test(e.hash) || e.lastAccessMillis >= sinceMillis ? last : first).add(e);
        }
        Comparator<Entry> lru = Comparator.comparingLong(e -> e.lastAccessMillis);
        first.sort(lru);
        last.sort(lru);
        first.addAll(last);
        return first;
    }

    /** Forgets every entry not in {@code onDisk} (used after a full walk of the disk). @return how many were forgotten */
    int retainOnly(Set<Long> onDisk) {
        int before = entries.size();
        entries.keySet().retainAll(onDisk);
        return before - entries.size();
    }
}
