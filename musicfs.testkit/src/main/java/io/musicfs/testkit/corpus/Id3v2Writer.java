package io.musicfs.testkit.corpus;

import java.nio.charset.StandardCharsets;

/**
 * Writes an ID3v2.3 or ID3v2.4 tag: text frames only, no unsynchronisation, no padding. Version 3
 * encodes text as UTF-16 with a byte-order mark and stores the year alone in {@code TYER};
 * version 4 encodes UTF-8, uses synchsafe frame sizes and stores the whole date in {@code TDRC}.
 * The title frame comes last, so a file cut inside its tag has no title.
 */
final class Id3v2Writer {

    private static final int HEADER = 10;
    private static final int ENCODING_UTF16_BOM = 1;
    private static final int ENCODING_UTF8 = 3;

    private Id3v2Writer() {
    }

    /** @param version 3 or 4 */
    static byte[] write(Tags tags, int version) {
        if (version != 3 && version != 4) {
            throw new IllegalArgumentException("ID3v2 version must be 3 or 4: " + version);
        }
        ByteSink frames = new ByteSink(512);
        frame(frames, version, "TPE1", tags.artist());
        frame(frames, version, "TPE2", tags.albumArtist());
        frame(frames, version, "TALB", tags.album());
        frame(frames, version, "TRCK", numberOfTotal(tags.track(), tags.trackTotal()));
        frame(frames, version, "TPOS", numberOfTotal(tags.disc(), tags.discTotal()));
        if (version == 3) {
            frame(frames, version, "TYER", tags.year());
        } else {
            frame(frames, version, "TDRC", tags.date());
        }
        frame(frames, version, "TCON", tags.genre());
        frame(frames, version, "TCOM", tags.composer());
        frame(frames, version, "TCMP", tags.compilation() ? "1" : null);
        frame(frames, version, "TIT2", tags.title());
        ByteSink tag = new ByteSink(HEADER + frames.size());
        tag.ascii("ID3").u8(version).u8(0).u8(0).u32be(synchsafe(frames.size()));
        tag.bytes(frames.toByteArray());
        return tag.toByteArray();
    }

    private static String numberOfTotal(int number, int total) {
        if (number == 0) {
            return null;
        }
        return total == 0 ? Integer.toString(number) : number + "/" + total;
    }

    private static void frame(ByteSink out, int version, String id, String text) {
        if (text == null) {
            return;
        }
        byte[] body;
        if (version == 3) {
            byte[] utf16 = text.getBytes(StandardCharsets.UTF_16LE);
            body = new ByteSink(3 + utf16.length).u8(ENCODING_UTF16_BOM).u8(0xff).u8(0xfe).bytes(utf16).toByteArray();
        } else {
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            body = new ByteSink(1 + utf8.length).u8(ENCODING_UTF8).bytes(utf8).toByteArray();
        }
        out.ascii(id).u32be(version == 3 ? body.length : synchsafe(body.length)).u16be(0).bytes(body);
    }

    private static int synchsafe(int value) {
        if (value >= 1 << 28) {
            throw new IllegalArgumentException("ID3v2 size too large: " + value);
        }
        return (value & 0x7f) | (value & 0x3f80) << 1 | (value & 0x1fc000) << 2 | (value & 0xfe00000) << 3;
    }
}
