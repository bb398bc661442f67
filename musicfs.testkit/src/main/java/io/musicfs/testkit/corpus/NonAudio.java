package io.musicfs.testkit.corpus;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Bytes of the non-audio files a music folder holds: cover images, notes, cue sheets. */
final class NonAudio {

    private static final byte[] JFIF_HEADER = {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe0, 0, 16,
            'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0};
    private static final byte[] JPEG_END = {(byte) 0xff, (byte) 0xd9};

    private NonAudio() {
    }

    /** @return a JPEG signature, random body and end marker: what a scanner sees of a cover, not a decodable image */
    static byte[] coverJpeg(Random random) {
        byte[] body = new byte[512 + random.nextInt(1024)];
        random.nextBytes(body);
        return new ByteSink(JFIF_HEADER.length + body.length + 2).bytes(JFIF_HEADER).bytes(body).bytes(JPEG_END)
                .toByteArray();
    }

    static byte[] text(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
