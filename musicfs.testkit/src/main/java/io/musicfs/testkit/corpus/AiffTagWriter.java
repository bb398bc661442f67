package io.musicfs.testkit.corpus;

import java.util.Set;

/**
 * Writes an AIFF file's tags as an {@code ID3 } chunk holding ID3v2.4, at the end of the FORM. The
 * template's text chunks ({@code NAME AUTH ANNO COMT (c) ID3 }) are dropped, so the ID3 chunk is
 * the only tag source, and the FORM size is fixed.
 */
final class AiffTagWriter {

    private static final Set<String> TAG_CHUNKS = Set.of("ID3 ", "NAME", "AUTH", "ANNO", "COMT", "(c) ");

    private AiffTagWriter() {
    }

    static byte[] write(byte[] aiff, Tags tags) {
        if (!ByteSink.startsWith(aiff, 0, "FORM")
                || !(ByteSink.startsWith(aiff, 8, "AIFF") || ByteSink.startsWith(aiff, 8, "AIFC"))) {
            throw new IllegalArgumentException("not an AIFF file");
        }
        ByteSink out = new ByteSink(aiff.length + 1024);
        out.ascii("FORM").u32be(0).bytes(aiff, 8, 4);
        int offset = 12;
        while (offset + 8 <= aiff.length) {
            String id = ByteSink.ascii(aiff, offset, 4);
            long size = ByteSink.u32be(aiff, offset + 4);
            int end = (int) Math.min(aiff.length, offset + 8 + size + (size & 1));
            if (!TAG_CHUNKS.contains(id)) {
                out.bytes(aiff, offset, end - offset);
            }
            offset = end;
        }
        byte[] id3 = Id3v2Writer.write(tags, 4);
        out.ascii("ID3 ").u32be(id3.length).bytes(id3);
        if ((id3.length & 1) != 0) {
            out.u8(0);
        }
        out.setU32be(4, out.size() - 8);
        return out.toByteArray();
    }
}
