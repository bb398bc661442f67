package io.musicfs.testkit.corpus;

import java.util.ArrayList;
import java.util.List;

/**
 * One Ogg page of a byte array, and the page framing rules: parsing, the page CRC (polynomial
 * {@code 0x04c11db7}, no reflection, initial value and final XOR zero, computed with the CRC field
 * zeroed) and writing pages with a new sequence number.
 *
 * @param offset where the page starts
 * @param headerType the flags: 1 continued packet, 2 first page, 4 last page
 * @param granule the granule position
 * @param serial the stream serial number
 * @param sequence the page sequence number
 * @param lacing the segment table
 * @param bodyOffset where the page's segments start
 * @param bodyLength the total length of the segments
 */
record OggPage(int offset, int headerType, long granule, int serial, int sequence, int[] lacing, int bodyOffset,
               int bodyLength) {

    static final int CONTINUED = 1;
    static final int MAX_SEGMENTS = 255;
    /** The granule position of a page on which no packet ends. */
    static final long NO_PACKET_ENDS = -1;
    private static final int FIXED_HEADER = 27;
    private static final int CRC_OFFSET = 22;
    private static final int[] CRC_TABLE = crcTable();

    int end() {
        return bodyOffset + bodyLength;
    }

    /** @return every page of an Ogg file */
    static List<OggPage> parseAll(byte[] ogg) {
        List<OggPage> pages = new ArrayList<>();
        int offset = 0;
        while (offset < ogg.length) {
            OggPage page = parse(ogg, offset);
            pages.add(page);
            offset = page.end();
        }
        return pages;
    }

    private static OggPage parse(byte[] b, int offset) {
        if (!ByteSink.startsWith(b, offset, "OggS") || b[offset + 4] != 0) {
            throw new IllegalArgumentException("no Ogg page at offset " + offset);
        }
        int segments = b[offset + 26] & 0xff;
        int[] lacing = new int[segments];
        int bodyLength = 0;
        for (int i = 0; i < segments; i++) {
            lacing[i] = b[offset + FIXED_HEADER + i] & 0xff;
            bodyLength += lacing[i];
        }
        long granule = 0;
        for (int i = 7; i >= 0; i--) {
            granule = granule << 8 | (b[offset + 6 + i] & 0xff);
        }
        int bodyOffset = offset + FIXED_HEADER + segments;
        if (bodyOffset + bodyLength > b.length) {
            throw new IllegalArgumentException("Ogg page at offset " + offset + " runs past the end of the file");
        }
        return new OggPage(offset, b[offset + 5] & 0xff, granule, (int) ByteSink.u32le(b, offset + 14),
                (int) ByteSink.u32le(b, offset + 18), lacing, bodyOffset, bodyLength);
    }

    /** Writes a page holding {@code body} cut by {@code lacing}, with its CRC. */
    static void write(ByteSink out, int headerType, long granule, int serial, int sequence, int[] lacing,
                      byte[] body, int bodyOffset, int bodyLength) {
        ByteSink header = new ByteSink(FIXED_HEADER + lacing.length);
        header.ascii("OggS").u8(0).u8(headerType).u64le(granule).u32le(serial).u32le(sequence).u32le(0);
        header.u8(lacing.length);
        for (int value : lacing) {
            header.u8(value);
        }
        byte[] headerBytes = header.toByteArray();
        int crc = crc(crc(0, headerBytes, 0, headerBytes.length), body, bodyOffset, bodyLength);
        header.setU32le(CRC_OFFSET, crc);
        out.bytes(header.toByteArray()).bytes(body, bodyOffset, bodyLength);
    }

    /** Writes this page of {@code source} again under a new sequence number. */
    void copyAs(ByteSink out, byte[] source, int newSequence) {
        write(out, headerType, granule, serial, newSequence, lacing, source, bodyOffset, bodyLength);
    }

    /** @return {@code crc} continued over {@code length} bytes of {@code b} */
    static int crc(int crc, byte[] b, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            crc = crc << 8 ^ CRC_TABLE[(crc >>> 24 ^ b[i]) & 0xff];
        }
        return crc;
    }

    private static int[] crcTable() {
        int[] table = new int[256];
        for (int i = 0; i < 256; i++) {
            int r = i << 24;
            for (int bit = 0; bit < 8; bit++) {
                r = (r & 0x80000000) != 0 ? r << 1 ^ 0x04c11db7 : r << 1;
            }
            table[i] = r;
        }
        return table;
    }
}
