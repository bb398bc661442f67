package io.musicfs.catalog.internal.tags;

import java.io.IOException;

/**
 * Reads a FLAC file's tags straight from its metadata blocks: walks the block headers (a leading
 * ID3v2 tag is skipped, as other readers do), fetches STREAMINFO and the VORBIS_COMMENT block,
 * and never fetches the body of any other block, so a 3 MB picture before the comment costs one
 * extra round trip, not 3 MB.
 */
final class FlacLayout {

    private static final int STREAMINFO = 0;
    private static final int VORBIS_COMMENT = 4;
    private static final int INVALID = 127;
    private static final int STREAMINFO_LENGTH = 34;
    /** More metadata blocks than any writer produces; a longer chain is garbage. */
    private static final int MAX_BLOCKS = 1024;

    private FlacLayout() {
    }

    static TagValues read(RangeFetcher f, long maxTagBytes) throws IOException, UnreadableException {
        long pos = Id3v2Layout.present(f, 0) ? skipId3v2(f) : 0;
        if (!f.inFile(pos, 4) || !Bytes.startsWith(f.header(pos, 4), 0, "fLaC")) {
            throw new UnreadableException("it has no fLaC stream marker at offset " + pos);
        }
        pos += 4;
        TagValues values = null;
        boolean last = false;
        for (int block = 0; !last; block++) {
            if (block == MAX_BLOCKS) {
                throw new UnreadableException("it has more than " + MAX_BLOCKS + " metadata blocks");
            }
            if (!f.inFile(pos, 4)) {
                throw new UnreadableException("its metadata ends without a last block, at offset " + pos);
            }
            byte[] h = f.header(pos, 4);
            last = (h[0] & 0x80) != 0;
            int type = h[0] & 0x7F;
            int length = Bytes.u24be(h, 1);
            long body = pos + 4;
            if (type == INVALID) {
                throw new UnreadableException("metadata block " + block + " has the invalid type 127");
            }
            if (block == 0 && (type != STREAMINFO || length < STREAMINFO_LENGTH)) {
                throw new UnreadableException("its first metadata block is not a STREAMINFO");
            }
            if (!f.inFile(body, length)) {
                throw new UnreadableException("metadata block " + block + " (type " + type + ", " + length
                        + " bytes at offset " + pos + ") reaches past the end of the file");
            }
            if (type == STREAMINFO && block == 0) {
                checkStreamInfo(f.header(body, STREAMINFO_LENGTH));
            } else if (type == VORBIS_COMMENT && values == null) {
                if (length > maxTagBytes) {
                    throw new UnreadableException("its Vorbis comment block is " + length + " bytes, above the limit");
                }
                values = VorbisComments.parse(f.content(body, length), 0, length);
            }
            pos = body + length;
        }
        // audio frames must follow the metadata: a file that is only metadata is not a track. The
        // frame sync is checked when its bytes came with the metadata; a round trip only for that
        // (after a big picture at the end of the metadata, the usual layout) is not worth it
        if (!f.inFile(pos, 2)) {
            throw new UnreadableException("it has no audio frames after its metadata");
        }
        if (f.isFetched(pos, 2)) {
            byte[] sync = f.header(pos, 2);
            if (Bytes.u8(sync, 0) != 0xFF || (Bytes.u8(sync, 1) & 0xFE) != 0xF8) {
                throw new UnreadableException("no FLAC frame starts after its metadata, at offset " + pos);
            }
        }
        return values != null ? values : new TagValues();
    }

    private static long skipId3v2(RangeFetcher f) throws IOException, UnreadableException {
        byte[] h = f.header(0, Id3v2Layout.HEADER);
        int size = Bytes.syncsafe(h, 6);
        if (size < 0) {
            throw new UnreadableException("its leading ID3v2 header is corrupt");
        }
        boolean footer = Bytes.u8(h, 3) == 4 && (Bytes.u8(h, 5) & 0x10) != 0;
        return Id3v2Layout.HEADER + (long) size + (footer ? Id3v2Layout.HEADER : 0);
    }

    private static void checkStreamInfo(byte[] si) throws UnreadableException {
        int sampleRate = (Bytes.u8(si, 10) << 12) | (Bytes.u8(si, 11) << 4) | (Bytes.u8(si, 12) >> 4);
        if (sampleRate == 0) {
            throw new UnreadableException("its STREAMINFO has a sample rate of 0");
        }
    }
}
