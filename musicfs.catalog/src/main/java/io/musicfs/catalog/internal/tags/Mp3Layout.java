package io.musicfs.catalog.internal.tags;

import java.io.IOException;

/**
 * Fetches what an MP3 parser reads: the ID3v2 tag at the head (see {@link Id3v2Layout}), the first
 * audio frames after it (the parser checks for audio there and reads a Xing/LAME header), and the
 * ID3v1 tag in the last 128 bytes. Finding a run of consecutive valid MPEG frame headers is also
 * what tells an MP3 from random bytes with an .mp3 name.
 */
final class Mp3Layout {

    private static final int ID3V1 = 128;
    /** Where the search for the first frame starts; doubled up to {@link #MAX_SEARCH}. */
    private static final int FIRST_SEARCH = 16 * 1024;
    /** Junk or padding between tag and audio beyond this makes the file unreadable. */
    private static final int MAX_SEARCH = 256 * 1024;
    /** Frames fetched past the first: the parser checks the next frame and reads the Xing header. */
    private static final int FRAMES_AFTER = 3;
    /** Bits that stay the same from frame to frame: sync, version, layer, sample rate. */
    private static final int SAME_STREAM_MASK = 0xFFFE0C00;

    private static final int[][] SAMPLE_RATES = {
        {11025, 12000, 8000}, // MPEG 2.5
        {0, 0, 0}, // reserved
        {22050, 24000, 16000}, // MPEG 2
        {44100, 48000, 32000}, // MPEG 1
    };
    /** kbps by [MPEG1 ? 0 : 1][layer bits: 3 = I, 2 = II, 1 = III][index]. */
    private static final int[][][] BITRATES = {
        {
            {},
            {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320},
            {0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},
            {0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448},
        },
        {
            {},
            {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},
            {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},
            {0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256},
        },
    };

    private Mp3Layout() {
    }

    static void locate(RangeFetcher f, long maxTagBytes) throws IOException, UnreadableException {
        long audioSearch = Id3v2Layout.locate(f, 0, maxTagBytes);
        long tail = f.size() >= ID3V1 ? f.size() - ID3V1 : f.size();
        if (f.size() >= ID3V1 && tail >= audioSearch) {
            f.fetch(tail, ID3V1);
        }
        long first = findFrames(f, audioSearch, tail);
        if (first < 0) {
            throw new UnreadableException("no MPEG audio frames within " + MAX_SEARCH + " bytes after offset "
                    + audioSearch);
        }
    }

    /** @return the offset of the first frame of a run of valid frames, or -1 */
    private static long findFrames(RangeFetcher f, long start, long tail) throws IOException, UnreadableException {
        long available = f.size() - start;
        for (int window = FIRST_SEARCH; ; window *= 2) {
            int n = (int) Math.min(window, available);
            if (n < 4) {
                return -1;
            }
            byte[] b = f.content(start, n);
            for (int i = 0; i + 4 <= n; i++) {
                if (b[i] != (byte) 0xFF) {
                    continue;
                }
                int length = frameLength(b, i);
                if (length > 0 && isRun(b, i, length, start, tail, f.size())) {
                    long frame = start + i;
                    // the parser reads the next frames; make sure it finds them, not holes
                    f.fetch(frame, Math.min(f.size() - frame, (long) length * (FRAMES_AFTER + 1) + 4));
                    return frame;
                }
            }
            if (n == available || window >= MAX_SEARCH) {
                return -1;
            }
        }
    }

    /** A frame at {@code i} counts when the next one or two follow it, or it ends exactly at the end of the audio. */
    private static boolean isRun(byte[] b, int i, int length, long base, long tail, long size) {
        int header = (int) Bytes.u32be(b, i);
        int j = i + length;
        if (base + j == size || base + j == tail) {
            return true; // a one-frame file
        }
        if (j + 4 > b.length) {
            return false; // the window cannot tell; a wider one will
        }
        int second = frameLength(b, j);
        if (second <= 0 || (((int) Bytes.u32be(b, j)) & SAME_STREAM_MASK) != (header & SAME_STREAM_MASK)) {
            return false;
        }
        int k = j + second;
        if (k + 4 > b.length || base + k == size || base + k == tail) {
            return true;
        }
        return frameLength(b, k) > 0 && (((int) Bytes.u32be(b, k)) & SAME_STREAM_MASK) == (header & SAME_STREAM_MASK);
    }

    /** @return the length of the MPEG audio frame whose header is at {@code b[i]}, or -1 when it is not one */
    static int frameLength(byte[] b, int i) {
        int h = (int) Bytes.u32be(b, i);
        if ((h & 0xFFE00000) != 0xFFE00000) {
            return -1;
        }
        int version = (h >>> 19) & 3;
        int layer = (h >>> 17) & 3;
        int bitrateIndex = (h >>> 12) & 0xF;
        int sampleRateIndex = (h >>> 10) & 3;
        int padding = (h >>> 9) & 1;
        if (version == 1 || layer == 0 || bitrateIndex == 0 || bitrateIndex == 15 || sampleRateIndex == 3) {
            return -1;
        }
        int sampleRate = SAMPLE_RATES[version][sampleRateIndex];
        int bitrate = BITRATES[version == 3 ? 0 : 1][layer][bitrateIndex] * 1000;
        return switch (layer) {
            case 3 -> (12 * bitrate / sampleRate + padding) * 4;
            case 2 -> 144 * bitrate / sampleRate + padding;
            default -> (version == 3 ? 144 : 72) * bitrate / sampleRate + padding;
        };
    }
}
