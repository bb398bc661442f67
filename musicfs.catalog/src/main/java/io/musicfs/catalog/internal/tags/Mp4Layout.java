package io.musicfs.catalog.internal.tags;

import java.io.IOException;

/**
 * Fetches what an MP4 parser reads: walks the top-level boxes by their headers (8 or 16 bytes
 * each) and fetches {@code ftyp} and {@code moov} whole, wherever {@code moov} is (before the
 * audio for "fast start" files, after it otherwise). The audio ({@code mdat}) is never fetched.
 */
final class Mp4Layout {

    /** More top-level boxes than any writer produces. */
    private static final int MAX_BOXES = 256;
    private static final int MAX_FTYP = 4096;

    private Mp4Layout() {
    }

    static void locate(RangeFetcher f, long maxTagBytes) throws IOException, UnreadableException {
        long pos = 0;
        boolean ftyp = false;
        boolean moov = false;
        for (int box = 0; f.inFile(pos, 8) && pos < f.size(); box++) {
            if (box == MAX_BOXES) {
                throw new UnreadableException("it has more than " + MAX_BOXES + " top-level MP4 boxes");
            }
            byte[] h = f.header(pos, 8);
            String type = Bytes.ascii(h, 4, 4);
            if (!validType(h, 4)) {
                if (box == 0) {
                    throw new UnreadableException("it does not start with an MP4 box");
                }
                break; // trailing garbage after the boxes: parsers stop there too
            }
            long length = Bytes.u32be(h, 0);
            int headerLength = 8;
            if (length == 1) {
                if (!f.inFile(pos, 16)) {
                    throw new UnreadableException("the " + type + " box at offset " + pos + " is truncated");
                }
                length = Bytes.u64be(f.header(pos, 16), 8);
                headerLength = 16;
            } else if (length == 0) {
                length = f.size() - pos; // "to the end of the file"
            }
            if (length < headerLength) {
                throw new UnreadableException("the " + type + " box at offset " + pos + " has the size " + length);
            }
            if (box == 0 && !type.equals("ftyp")) {
                throw new UnreadableException("its first MP4 box is " + type + ", not ftyp");
            }
            if (length > f.size() - pos) {
                if (type.equals("mdat") && moov) {
                    break; // truncated audio after the movie box: the tags are all there
                }
                throw new UnreadableException("the " + type + " box at offset " + pos + " (" + length
                        + " bytes) reaches past the end of the file");
            }
            if (type.equals("ftyp")) {
                if (length > MAX_FTYP) {
                    throw new UnreadableException("its ftyp box is " + length + " bytes");
                }
                f.fetch(pos, length);
                ftyp = true;
            } else if (type.equals("moov") && !moov) {
                if (length > maxTagBytes) {
                    throw new UnreadableException("its moov box is " + length + " bytes, above the limit of "
                            + maxTagBytes);
                }
                f.fetch(pos, length);
                moov = true;
            }
            pos += length;
        }
        if (!ftyp || !moov) {
            throw new UnreadableException("it has no " + (ftyp ? "moov" : "ftyp") + " box");
        }
    }

    /** Box types are four printable ASCII characters (and iTunes' {@code ©}). */
    private static boolean validType(byte[] b, int i) {
        for (int k = i; k < i + 4; k++) {
            int c = b[k] & 0xFF;
            if ((c < 0x20 || c > 0x7E) && c != 0xA9) {
                return false;
            }
        }
        return true;
    }
}
