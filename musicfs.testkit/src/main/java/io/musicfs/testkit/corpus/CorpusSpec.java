package io.musicfs.testkit.corpus;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * What {@link CorpusGenerator} makes. The same spec always makes the same files (same bytes, same
 * truth) on a machine whose template cache holds the same templates.
 *
 * @param tracks the number of bulk tracks (hard cases and large tracks come on top)
 * @param formats the formats bulk tracks use; hard cases fall back to the first of these when their
 *        preferred format is not in the set, and skip what only one format can show (ID3v1-only
 *        files need MP3)
 * @param hardCases whether every {@link HardCase} is added
 * @param seed the seed of every random choice
 * @param largeTracks the number of large FLAC tracks (for read benchmarks)
 * @param largeTrackBytes the exact size of each large track
 */
public record CorpusSpec(int tracks, Set<AudioFormat> formats, boolean hardCases, long seed, int largeTracks,
                         long largeTrackBytes) {

    /** The seed of {@link #of(int)}. */
    public static final long DEFAULT_SEED = 20240229L;
    /** Large tracks are padded with one FLAC PADDING block, so their size is bounded (24-bit block length). */
    public static final long MAX_LARGE_TRACK_BYTES = 512L << 20;
    /** Smaller "large" tracks would not leave room for the padding that makes their size exact. */
    public static final long MIN_LARGE_TRACK_BYTES = 1L << 20;

    public CorpusSpec {
        if (tracks < 0) {
            throw new IllegalArgumentException("tracks must be >= 0: " + tracks);
        }
        if (formats == null || formats.isEmpty()) {
            throw new IllegalArgumentException("formats must name at least one format");
        }
        formats = Collections.unmodifiableSet(EnumSet.copyOf(formats));
        if (largeTracks < 0) {
            throw new IllegalArgumentException("largeTracks must be >= 0: " + largeTracks);
        }
        if (largeTracks > 0 && (largeTrackBytes < MIN_LARGE_TRACK_BYTES || largeTrackBytes > MAX_LARGE_TRACK_BYTES)) {
            throw new IllegalArgumentException("largeTrackBytes must be between " + MIN_LARGE_TRACK_BYTES + " and "
                    + MAX_LARGE_TRACK_BYTES + ": " + largeTrackBytes);
        }
    }

    /** @return {@code tracks} bulk tracks in every format, hard cases on, {@link #DEFAULT_SEED}, no large tracks */
    public static CorpusSpec of(int tracks) {
        return new CorpusSpec(tracks, EnumSet.allOf(AudioFormat.class), true, DEFAULT_SEED, 0, 0);
    }

    public CorpusSpec withFormats(Set<AudioFormat> value) {
        return new CorpusSpec(tracks, value, hardCases, seed, largeTracks, largeTrackBytes);
    }

    public CorpusSpec withFormats(AudioFormat first, AudioFormat... more) {
        return withFormats(EnumSet.of(first, more));
    }

    public CorpusSpec withHardCases(boolean value) {
        return new CorpusSpec(tracks, formats, value, seed, largeTracks, largeTrackBytes);
    }

    public CorpusSpec withSeed(long value) {
        return new CorpusSpec(tracks, formats, hardCases, value, largeTracks, largeTrackBytes);
    }

    public CorpusSpec withLargeTracks(int count, long bytesEach) {
        return new CorpusSpec(tracks, formats, hardCases, seed, count, bytesEach);
    }
}
