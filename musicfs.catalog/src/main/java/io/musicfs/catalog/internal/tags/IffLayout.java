package io.musicfs.catalog.internal.tags;

import java.io.IOException;
import java.util.Set;

/**
 * Fetches what a WAV (RIFF, little-endian) or AIFF (FORM, big-endian) parser reads: walks the
 * chunks by their 8-byte headers, fetches the format chunk and the tag chunks (LIST/INFO, ID3,
 * AIFF text chunks; an ID3 chunk frame by frame, see {@link Id3v2Layout}), and skips the audio.
 */
final class IffLayout {

    /** More chunks than any writer produces. */
    private static final int MAX_CHUNKS = 512;
    /** An unknown chunk bigger than this is skipped rather than fetched. */
    private static final int MAX_OTHER_CHUNK = 64 * 1024;

    private static final Set<String> WAV_TAG_CHUNKS = Set.of("fmt ", "fact", "LIST", "bext");
    private static final Set<String> AIFF_TAG_CHUNKS = Set.of("COMM", "FVER", "NAME", "AUTH", "(c) ", "ANNO", "COMT");

    private IffLayout() {
    }

    static void locate(RangeFetcher f, boolean aiff, long maxTagBytes) throws IOException, UnreadableException {
        if (!f.inFile(0, 12)) {
            throw new UnreadableException("it is too short for a " + (aiff ? "FORM" : "RIFF") + " header");
        }
        byte[] h = f.header(0, 12);
        String kind = Bytes.ascii(h, 8, 4);
        if (aiff ? !(Bytes.startsWith(h, 0, "FORM") && (kind.equals("AIFF") || kind.equals("AIFC")))
                : !(Bytes.startsWith(h, 0, "RIFF") && kind.equals("WAVE"))) {
            throw new UnreadableException("it has no " + (aiff ? "FORM/AIFF" : "RIFF/WAVE") + " header");
        }
        long declared = aiff ? Bytes.u32be(h, 4) : Bytes.u32le(h, 4);
        long end = declared >= 4 && declared <= f.size() - 8 ? 8 + declared : f.size();
        String formatChunk = aiff ? "COMM" : "fmt ";
        String audioChunk = aiff ? "SSND" : "data";
        boolean format = false;
        boolean audio = false;
        long pos = 12;
        for (int chunk = 0; pos + 8 <= end; chunk++) {
            if (chunk == MAX_CHUNKS) {
                throw new UnreadableException("it has more than " + MAX_CHUNKS + " chunks");
            }
            byte[] ch = f.header(pos, 8);
            String id = Bytes.ascii(ch, 0, 4);
            if (!printable(ch)) {
                break; // garbage after the last chunk (a bad writer's padding): parsers stop too
            }
            long length = aiff ? Bytes.u32be(ch, 4) : Bytes.u32le(ch, 4);
            long body = pos + 8;
            boolean fits = length <= f.size() - body;
            if (id.equals(audioChunk)) {
                audio = true;
                if (!fits) {
                    break; // truncated audio: the tags before it are all there
                }
                f.fetch(body, Math.min(length, 16)); // the parsers read an SSND offset/block size
            } else if (!fits) {
                throw new UnreadableException("its " + id.strip() + " chunk at offset " + pos + " (" + length
                        + " bytes) reaches past the end of the file");
            } else if (id.equalsIgnoreCase("id3 ")) {
                if (length > maxTagBytes) {
                    throw new UnreadableException("its ID3 chunk is " + length + " bytes, above the limit");
                }
                long tagEnd = Id3v2Layout.locate(f, body, maxTagBytes);
                if (tagEnd == body) {
                    f.fetch(body, Math.min(length, MAX_OTHER_CHUNK)); // not an ID3 tag: let the parser see why
                }
            } else if (id.equals(formatChunk) || (aiff ? AIFF_TAG_CHUNKS : WAV_TAG_CHUNKS).contains(id)) {
                if (length > maxTagBytes) {
                    throw new UnreadableException("its " + id.strip() + " chunk is " + length
                            + " bytes, above the limit");
                }
                f.fetch(body, length);
                format |= id.equals(formatChunk);
                if (!aiff && id.equals("LIST") && !infoListIsSound(f, body, length)) {
                    f.blank(body, length); // the parser would allocate whatever a broken entry claims
                }
            } else if (length <= MAX_OTHER_CHUNK) {
                f.fetch(body, length);
            }
            pos = body + length + (length & 1); // chunks are padded to an even length
        }
        if (!format) {
            throw new UnreadableException("it has no " + formatChunk.strip() + " chunk");
        }
        if (!audio) {
            throw new UnreadableException("it has no " + audioChunk + " chunk");
        }
    }

    /**
     * @return whether a LIST chunk is not an INFO list, or every entry of its INFO list lies
     *     inside it (entry: 4-byte id, 4-byte little-endian length, text, padding to even)
     */
    private static boolean infoListIsSound(RangeFetcher f, long body, long length)
            throws IOException, UnreadableException {
        if (length < 4) {
            return true;
        }
        byte[] list = f.content(body, (int) length);
        if (!Bytes.startsWith(list, 0, "INFO")) {
            return true;
        }
        int pos = 4;
        while (list.length - pos >= 8) {
            long entry = Bytes.u32le(list, pos + 4);
            if (entry > list.length - pos - 8) {
                return false;
            }
            pos += 8 + (int) entry + (int) (entry & 1);
        }
        return true;
    }

    private static boolean printable(byte[] b) {
        for (int i = 0; i < 4; i++) {
            if (b[i] < 0x20 || b[i] > 0x7E) {
                return false;
            }
        }
        return true;
    }
}
