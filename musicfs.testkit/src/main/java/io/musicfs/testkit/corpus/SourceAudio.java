package io.musicfs.testkit.corpus;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** The 16-bit PCM WAV files the encoders are fed: a short tone for templates, seeded noise for large tracks. */
final class SourceAudio {

    private static final int BYTES_PER_SAMPLE = 2;

    private SourceAudio() {
    }

    /** Writes a mono sine tone at half of full scale. */
    static void writeTone(Path wav, int sampleRate, int samples, double hertz) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(wav))) {
            header(out, sampleRate, 1, (long) samples * BYTES_PER_SAMPLE);
            for (int i = 0; i < samples; i++) {
                int value = (int) Math.round(Math.sin(2 * Math.PI * hertz * i / sampleRate) * 16384);
                out.write(value);
                out.write(value >>> 8);
            }
        }
    }

    /**
     * Writes full-scale white noise, which FLAC cannot compress: its encoded size is the PCM size
     * plus a fraction of a percent of frame headers.
     */
    static void writeNoise(Path wav, int sampleRate, int channels, long dataBytes, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] block = new byte[1 << 16];
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(wav), block.length)) {
            header(out, sampleRate, channels, dataBytes);
            for (long written = 0; written < dataBytes; written += block.length) {
                for (int i = 0; i < block.length; i += 8) {
                    long bits = random.nextLong();
                    for (int j = 0; j < 8; j++) {
                        block[i + j] = (byte) (bits >>> (8 * j));
                    }
                }
                out.write(block, 0, (int) Math.min(block.length, dataBytes - written));
            }
        }
    }

    private static void header(OutputStream out, int sampleRate, int channels, long dataBytes) throws IOException {
        int blockAlign = channels * BYTES_PER_SAMPLE;
        ByteSink h = new ByteSink(44).ascii("RIFF").u32le(36 + dataBytes).ascii("WAVE")
                .ascii("fmt ").u32le(16).u8(1).u8(0).u8(channels).u8(0).u32le(sampleRate)
                .u32le((long) sampleRate * blockAlign).u8(blockAlign).u8(0).u8(16).u8(0)
                .ascii("data").u32le(dataBytes);
        out.write(h.toByteArray());
    }
}
