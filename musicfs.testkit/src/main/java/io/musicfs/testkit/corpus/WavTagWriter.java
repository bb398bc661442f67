package io.musicfs.testkit.corpus;

import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Writes a WAV file's tags after the audio data: an {@code id3 } chunk holding ID3v2.3 with every
 * tag and, optionally before it, a {@code LIST/INFO} chunk ({@code IART INAM IPRD ICRD ITRK IGNR},
 * UTF-8, which jaudiotagger and ffmpeg both decode as UTF-8). Readers disagree on which wins when
 * both are there: jaudiotagger 3.0.1 reads the ID3 chunk, ffmpeg 5.1 reads INFO and ignores the
 * ID3 chunk; so INFO is only written for tags whose path INFO alone gives ({@link #infoHoldsPath}).
 * The template's own tag chunks are dropped and the RIFF size is fixed.
 */
final class WavTagWriter {

    private static final Set<String> TAG_CHUNKS = Set.of("id3 ", "ID3 ");

    private WavTagWriter() {
    }

    /**
     * @return whether a reader of INFO alone names the track as one of the ID3 chunk does: INFO has
     *         no album artist, disc or compilation flag
     */
    static boolean infoHoldsPath(Tags tags) {
        return (tags.albumArtist() == null || tags.albumArtist().equals(tags.artist())) && !tags.compilation()
                && tags.discTotal() <= 1 && tags.disc() <= 1;
    }

    /** @param withInfo write a {@code LIST/INFO} chunk before the ID3 chunk; needs {@link #infoHoldsPath} */
    static byte[] write(byte[] wav, Tags tags, boolean withInfo) {
        if (withInfo && !infoHoldsPath(tags)) {
            throw new IllegalArgumentException("INFO cannot hold the path of " + tags);
        }
        if (!ByteSink.startsWith(wav, 0, "RIFF") || !ByteSink.startsWith(wav, 8, "WAVE")) {
            throw new IllegalArgumentException("not a RIFF WAVE file");
        }
        ByteSink out = new ByteSink(wav.length + 1024);
        out.ascii("RIFF").u32le(0).ascii("WAVE");
        int offset = 12;
        while (offset + 8 <= wav.length) {
            String id = ByteSink.ascii(wav, offset, 4);
            long size = ByteSink.u32le(wav, offset + 4);
            int end = (int) Math.min(wav.length, offset + 8 + size + (size & 1));
            boolean infoList = id.equals("LIST") && ByteSink.startsWith(wav, offset + 8, "INFO");
            if (!infoList && !TAG_CHUNKS.contains(id)) {
                out.bytes(wav, offset, end - offset);
            }
            offset = end;
        }
        if (withInfo) {
            chunk(out, "LIST", info(tags));
        }
        chunk(out, "id3 ", Id3v2Writer.write(tags, 3));
        out.setU32le(4, out.size() - 8);
        return out.toByteArray();
    }

    private static byte[] info(Tags tags) {
        ByteSink info = new ByteSink(256).ascii("INFO");
        infoText(info, "IART", tags.artist());
        infoText(info, "INAM", tags.title());
        infoText(info, "IPRD", tags.album());
        infoText(info, "ICRD", tags.date());
        infoText(info, "ITRK", tags.track() == 0 ? null : Integer.toString(tags.track()));
        infoText(info, "IGNR", tags.genre());
        return info.toByteArray();
    }

    private static void infoText(ByteSink info, String id, String value) {
        if (value != null) {
            byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
            chunk(info, id, new ByteSink(utf8.length + 1).bytes(utf8).u8(0).toByteArray());
        }
    }

    /** Writes a little-endian chunk with its pad byte. */
    private static void chunk(ByteSink out, String id, byte[] content) {
        out.ascii(id).u32le(content.length).bytes(content);
        if ((content.length & 1) != 0) {
            out.u8(0);
        }
    }
}
