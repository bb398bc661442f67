package io.musicfs.cas.internal;

import java.util.Arrays;

import io.musicfs.api.content.Manifest;
import io.musicfs.api.library.TrackFile;

/**
 * What the content reader knows of one version of one file (a {@link TrackFile}, whose size, mtime
 * and etag name the version): the hash of each chunk, and how the file is being read.
 *
 * <p>Chunk hashes come from two places: the file's {@link Manifest} as the manifest store had it when
 * the version was first read (those are <em>recorded</em>), and the chunks fetched since (recorded
 * once the {@link ChunkWriter} has written and indexed them). A hash known here but not yet recorded
 * belongs to a chunk that is in memory, pinned by the writer, or was not cached at all (write queue
 * full, write failed) and stays in memory only until its buffer is reused; a reader that then finds
 * it neither in memory nor on disk simply fetches it again. Knowing hashes here is what lets a read
 * skip the manifest store: it is asked once per version, not once per read.
 *
 * <p>The read pattern recognises sequential reading per stream: a read that starts where a stream's
 * last read ended continues it; any other read starts a new stream (replacing the least recently
 * used of {@link #STREAMS}). So several readers of one file each get their read-ahead, and pieces
 * that several FUSE threads deliver slightly out of order still form streams. For a read that
 * continues a stream the next chunks are handed out for read-ahead, each chunk once per stream
 * (a stream's mark is the last chunk it handed out). The read-ahead window ramps up: a stream reads
 * at most {@link #RAMP_START_CHUNKS} ahead while in its first chunk and twice as many with each
 * chunk it passes, up to what the caller allows; so a player that opens a track and reads a little
 * (tag readers, media-server scans, track previews) costs a few chunks, not the whole window.
 *
 * <p>Threading: any thread. The monitor of this object guards every field below; it is a leaf, held
 * for a few array operations. {@link #loadLock} serialises the one manifest load of the version (it
 * is held while the manifest store is called, so readers of this version wait for their hashes
 * instead of fetching chunks that are on disk); it is taken before the monitor, never inside it.
 */
final class FileVersion {

    /** Streams remembered per version: readers of one file at once, and pieces of one stream arriving out of order. */
    static final int STREAMS = 8;
    /** Chunks a stream may read ahead while in the chunk where it started; doubled with each chunk it passes. */
    static final int RAMP_START_CHUNKS = 4;

    /** Taken around the manifest load; see the class comment. */
    final Object loadLock = new Object();

    private final TrackFile file;
    private final int chunkSize;
    private final int chunkCount;

    // Guarded by this.
    private final long[] hashes;
    /** Whether the manifest store holds {@code hashes[i]}. */
    private final boolean[] recorded;
    private boolean loaded;
    private long nextLoadNanos;
    /** Per stream: where its last read ended (-1: no stream), the last chunk it handed out, and when it was last used. */
    private final long[] streamEnds = new long[STREAMS];
    private final int[] streamMarks = new int[STREAMS];
    private final long[] streamUsed = new long[STREAMS];
    /** Per stream: the chunk its first read ended in, for the ramp. */
    private final int[] streamStarts = new int[STREAMS];
    private long reads;
    /** Whether a remote origin served one of its chunks: remote files are read further ahead. Written and read without a lock. */
    private volatile boolean remote;
    /** When it was last read ({@link System#nanoTime}): chunks of files read lately are evicted last. Written without a lock. */
    private volatile long lastReadNanos;
    /** Whether a stream read sequentially into the file's last stretch, and whether the next track was handed out for it. */
    private boolean nearEnd;
    private boolean nextTrackTaken;

    FileVersion(TrackFile file, int chunkSize, long firstLoadNanos) {
        this.file = file;
        this.chunkSize = chunkSize;
        this.chunkCount = Manifest.chunkCount(file.size(), chunkSize);
        this.hashes = new long[chunkCount];
        this.recorded = new boolean[chunkCount];
        this.nextLoadNanos = firstLoadNanos;
        Arrays.fill(streamEnds, -1L);
    }

    TrackFile file() {
        return file;
    }

    /** @return whether a remote origin served a chunk of this version */
    boolean remote() {
        return remote;
    }

    /** Notes that a remote origin served a chunk of this version. */
    void servedRemotely() {
        if (!remote) {
            remote = true;
        }
    }

    void readAt(long nowNanos) {
        lastReadNanos = nowNanos;
    }

    long lastReadNanos() {
        return lastReadNanos;
    }

    /** @return the chunk hashes known now (unknown ones left out) */
    synchronized long[] knownHashes() {
        return Arrays.stream(hashes).filter(h -> h != Manifest.UNKNOWN).toArray();
    }

    /**
     * @return true once per version, when a stream has read sequentially into the file's last
     *     stretch: the player is about to need the next track
     */
    synchronized boolean takeNextTrackDue() {
        if (nearEnd && !nextTrackTaken) {
            nextTrackTaken = true;
            return true;
        }
        return false;
    }

    int chunkCount() {
        return chunkCount;
    }

    /** @return the length of chunk {@code index}: the chunk size, less for the last chunk */
    int chunkLength(int index) {
        return (int) Math.min(chunkSize, file.size() - (long) index * chunkSize);
    }

    /** @return the hash of chunk {@code index}, or {@link Manifest#UNKNOWN} */
    synchronized long hash(int index) {
        return hashes[index];
    }

    /** @return whether the manifest is still to be loaded and an attempt is due now; if so the next one is put off by {@code retryNanos} */
    synchronized boolean loadDue(long nowNanos, long retryNanos) {
        if (loaded || nowNanos - nextLoadNanos < 0) {
            return false;
        }
        nextLoadNanos = nowNanos + retryNanos;
        return true;
    }

    synchronized boolean loaded() {
        return loaded;
    }

    /** Takes the stored manifest's hashes (of this version, one per chunk) as recorded, without overriding newer fetches. */
    synchronized void loadedFromStore(long[] stored) {
        for (int i = 0; i < chunkCount; i++) {
            if (stored[i] == Manifest.UNKNOWN) {
                continue;
            }
            if (hashes[i] == Manifest.UNKNOWN) {
                hashes[i] = stored[i];
            }
            recorded[i] |= hashes[i] == stored[i];
        }
        loaded = true;
    }

    /** @return whether the manifest store holds {@code hash} for chunk {@code index} */
    synchronized boolean recordedAs(int index, long hash) {
        return hashes[index] == hash && recorded[index];
    }

    /** Chunk {@code index} was fetched and hashes to {@code hash}; not recorded yet. */
    synchronized void fetched(int index, long hash) {
        if (hashes[index] != hash) {
            hashes[index] = hash;
            recorded[index] = false;
        }
    }

    /** The manifest store now holds {@code hash} for chunk {@code index}. */
    synchronized void recorded(int index, long hash) {
        if (hashes[index] == Manifest.UNKNOWN) {
            hashes[index] = hash;
        }
        recorded[index] = hashes[index] == hash;
    }

    /** Forgets chunk {@code index} if it still hashes to {@code hash} (its bytes collide with another chunk's). */
    synchronized void forget(int index, long hash) {
        if (hashes[index] == hash) {
            hashes[index] = Manifest.UNKNOWN;
            recorded[index] = false;
        }
    }

    /**
     * Notes a read of {@code [offset, end)} and says what to read ahead for it.
     *
     * @param chunks how many chunks past the one holding {@code end - 1} a sequential reader should
     *     find fetched once its window has ramped up; 0 disables read-ahead
     * @return {@code {first, last}} chunk indexes to read ahead now, or null for none
     */
    synchronized int[] readAhead(long offset, long end, int chunks) {
        int current = (int) ((end - 1) / chunkSize);
        int stream = -1;
        int leastRecent = 0;
        for (int i = 0; i < STREAMS; i++) {
            if (streamEnds[i] == offset) {
                stream = i;
                break;
            }
            if (streamUsed[i] < streamUsed[leastRecent]) {
                leastRecent = i;
            }
        }
        reads++;
        if (stream < 0) {
            // Not a continuation: a new stream (a seek, another reader, or its first read), read ahead once it goes on.
            streamEnds[leastRecent] = end;
            streamMarks[leastRecent] = current;
            streamUsed[leastRecent] = reads;
            streamStarts[leastRecent] = current;
            return null;
        }
        streamEnds[stream] = end;
        streamUsed[stream] = reads;
        int passed = Math.min(current - streamStarts[stream], 16);
        int window = (int) Math.min(chunks, (long) RAMP_START_CHUNKS << passed);
        if (end >= file.size() - (long) Math.max(chunks, 1) * chunkSize) {
            nearEnd = true;
        }
        int first = Math.max(current, streamMarks[stream]) + 1;
        int last = Math.min(current + window, chunkCount - 1);
        if (chunks <= 0 || first > last) {
            return null;
        }
        streamMarks[stream] = last;
        return new int[] {first, last};
    }

    /**
     * A read-ahead of chunk {@code index} gave up (origin busy, no free buffer): streams that had
     * handed it out hand it out again at their next read, so a busy origin delays read-ahead instead
     * of leaving the chunk to the reader.
     */
    synchronized void aheadSkipped(int index) {
        for (int i = 0; i < STREAMS; i++) {
            if (streamEnds[i] >= 0 && streamMarks[i] >= index) {
                int current = (int) ((streamEnds[i] - 1) / chunkSize);
                streamMarks[i] = Math.max(current, index - 1);
            }
        }
    }
}
