package io.musicfs.catalog.internal.tags;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.musicfs.api.origin.Origin;

/**
 * The byte ranges of one origin file that the tag reader has fetched: each byte is fetched at most
 * once, and every fetch is counted and bounded by a byte budget. The format layouts ask for the
 * structures they walk ({@link #header}, with read-ahead, since one more round trip costs more than
 * a few KiB) and the regions they need whole ({@link #content}, exactly).
 *
 * <p>One instance serves one read of one file on one thread; it is not thread-safe.
 */
final class RangeFetcher {

    /** Reads in a row that may deliver nothing (and no end of file) before the origin is called broken. */
    private static final int MAX_EMPTY_READS = 3;

    private final Origin origin;
    private final String path;
    private final long size;
    private final long budget;
    private final int readahead;

    /** Fetched ranges by start offset; never overlapping. */
    private final TreeMap<Long, byte[]> segments = new TreeMap<>();
    /** Ranges the sparse copy shows as zeros although they were fetched (structures a parser must not see). */
    private final List<long[]> blanks = new ArrayList<>();
    private long bytesFetched;
    private int requests;

    /**
     * @param size the file's size as listed; nothing at or past it is ever requested
     * @param budget the most bytes this file may cost; asking for more makes it unreadable
     * @param readahead how far past a structure header a fetch reaches when the bytes after it are missing
     */
    RangeFetcher(Origin origin, String path, long size, long budget, int readahead) {
        this.origin = origin;
        this.path = path;
        this.size = size;
        this.budget = budget;
        this.readahead = readahead;
    }

    long size() {
        return size;
    }

    long bytesFetched() {
        return bytesFetched;
    }

    int requests() {
        return requests;
    }

    /** @return whether {@code [offset, offset + length)} lies inside the file */
    boolean inFile(long offset, long length) {
        return offset >= 0 && length >= 0 && offset <= size && length <= size - offset;
    }

    /** @return whether every byte of {@code [offset, offset + length)} was already fetched */
    boolean isFetched(long offset, int length) {
        long pos = offset;
        long end = offset + length;
        while (pos < end) {
            Map.Entry<Long, byte[]> seg = segments.floorEntry(pos);
            if (seg == null || seg.getKey() + seg.getValue().length <= pos) {
                return false;
            }
            pos = seg.getKey() + seg.getValue().length;
        }
        return true;
    }

    /** The bytes of a structure header; a missing range is fetched with read-ahead. */
    byte[] header(long offset, int length) throws IOException, UnreadableException {
        ensure(offset, length, readahead);
        return copy(offset, length);
    }

    /** The bytes of a region needed whole; missing parts are fetched exactly. */
    byte[] content(long offset, int length) throws IOException, UnreadableException {
        ensure(offset, length, 0);
        return copy(offset, length);
    }

    /** Fetches what is missing of a region without copying it out (it goes to the sparse copy only). */
    void fetch(long offset, long length) throws IOException, UnreadableException {
        ensure(offset, length, 0);
    }

    /** Fetches what is missing of a region, reading at least {@code minimum} bytes per fetch where the file allows. */
    void fetchAtLeast(long offset, long length, int minimum) throws IOException, UnreadableException {
        ensure(offset, length, minimum);
    }

    /**
     * Makes a range read as zeros in the sparse copy: a structure the layout found broken in a way
     * its parser would not survive.
     */
    void blank(long offset, long length) {
        blanks.add(new long[] {offset, length});
    }

    /**
     * Writes every fetched range at its offset into {@code channel}, then zeros over the blanked
     * ranges; the caller sizes the file, so everything else is a hole that reads as zeros.
     */
    void writeTo(FileChannel channel) throws IOException {
        for (Map.Entry<Long, byte[]> e : segments.entrySet()) {
            write(channel, ByteBuffer.wrap(e.getValue()), e.getKey());
        }
        for (long[] b : blanks) {
            write(channel, ByteBuffer.allocate((int) b[1]), b[0]);
        }
    }

    private static void write(FileChannel channel, ByteBuffer src, long position) throws IOException {
        long pos = position;
        while (src.hasRemaining()) {
            pos += channel.write(src, pos);
        }
    }

    private void ensure(long offset, long length, int minimum) throws IOException, UnreadableException {
        if (!inFile(offset, length)) {
            throw new UnreadableException("a structure at offset " + offset + " of " + length
                    + " bytes reaches past the end of the file (" + size + " bytes)");
        }
        long end = offset + length;
        long pos = offset;
        Map.Entry<Long, byte[]> before = segments.floorEntry(pos);
        if (before != null) {
            pos = Math.max(pos, before.getKey() + before.getValue().length);
        }
        List<long[]> gaps = new ArrayList<>(2);
        while (pos < end) {
            Map.Entry<Long, byte[]> next = segments.ceilingEntry(pos);
            long nextStart = next == null ? size : next.getKey();
            long gapEnd = Math.min(end, nextStart);
            if (gapEnd > pos) {
                // stretch the fetch for read-ahead, but never over bytes we hold or past the file
                long stretched = Math.min(Math.max(gapEnd, pos + minimum), nextStart);
                gaps.add(new long[] {pos, Math.min(stretched, size)});
            }
            if (next == null || nextStart >= end) {
                break;
            }
            pos = nextStart + next.getValue().length;
        }
        for (long[] gap : gaps) {
            fetchRange(gap[0], gap[1]);
        }
    }

    private void fetchRange(long start, long end) throws IOException, UnreadableException {
        long length = end - start;
        if (bytesFetched + length > budget) {
            throw new UnreadableException("its tag regions need more than " + budget + " bytes");
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) length);
        int emptyReads = 0;
        while (buffer.hasRemaining()) {
            requests++;
            int n = origin.read(path, start + buffer.position(), buffer);
            if (n < 0) {
                throw new UnreadableException("the file ended at " + (start + buffer.position())
                        + ", before its listed size of " + size + " bytes (changed while being read?)");
            }
            if (n == 0 && ++emptyReads == MAX_EMPTY_READS) {
                throw new IOException("origin " + origin.id() + " returned no bytes of " + path + " at offset "
                        + (start + buffer.position()) + " " + MAX_EMPTY_READS + " times in a row");
            }
            bytesFetched += n;
        }
        segments.put(start, buffer.array());
    }

    private byte[] copy(long offset, int length) {
        byte[] out = new byte[length];
        int done = 0;
        while (done < length) {
            long pos = offset + done;
            Map.Entry<Long, byte[]> seg = segments.floorEntry(pos);
            int from = (int) (pos - seg.getKey());
            int n = Math.min(length - done, seg.getValue().length - from);
            System.arraycopy(seg.getValue(), from, out, done, n);
            done += n;
        }
        return out;
    }
}
