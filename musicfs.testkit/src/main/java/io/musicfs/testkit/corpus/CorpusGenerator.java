package io.musicfs.testkit.corpus;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * Makes a music library of real, tagged audio files under a folder, and returns the truth a mount
 * of it must show. Templates are encoded once per machine (see {@code Templates}) and every file is
 * a template copy whose tags the test kit writes itself. Safe to call from several threads; each
 * call writes its own folder.
 *
 * <pre>{@code
 * Corpus corpus = CorpusGenerator.generate(dir, CorpusSpec.of(500).withSeed(7));
 * for (TruthEntry e : corpus.present()) { ... e.virtualPath() ... e.sha256() ... }
 * }</pre>
 */
public final class CorpusGenerator {

    /** Salts the hard cases' random bytes so they do not shift when the bulk size changes. */
    private static final long HARD_CASE_SEED_SALT = 0x5eed_ca5eL;

    private CorpusGenerator() {
    }

    /**
     * Writes the corpus {@code spec} describes under {@code originDir} (created if missing; it must
     * be empty) and returns its truth. Every encoder the spec's formats need is checked before any
     * file is written.
     *
     * @throws MissingEncoderException naming the Debian package of a missing encoder
     * @throws IllegalArgumentException when {@code originDir} is not empty
     */
    public static Corpus generate(Path originDir, CorpusSpec spec) throws IOException {
        Templates templates = Templates.shared();
        for (AudioFormat format : spec.formats()) {
            templates.untagged(format);
        }
        for (int i = 1; i <= spec.largeTracks(); i++) {
            templates.largeFlac(spec.largeTrackBytes(), i);
        }
        CorpusPlan plan = new CorpusPlan(spec.formats(), templates);
        BulkLibrary.plan(plan, spec, new Random(spec.seed()));
        if (spec.hardCases()) {
            HardCases.plan(plan, new Random(spec.seed() ^ HARD_CASE_SEED_SALT));
        }
        for (int i = 1; i <= spec.largeTracks(); i++) {
            Tags tags = Tags.builder().artist("MusicFS Bench").album("Large Tracks").date("2024")
                    .title("Large Track " + i).track(i, spec.largeTracks()).build();
            plan.largeTrack(Corpus.LARGE_CASE, String.format(Locale.ROOT, "Bench/Large Track %d.flac", i), tags,
                    spec.largeTrackBytes(), i, ExpectedPaths.forPlainTags(tags, AudioFormat.FLAC.extension()));
        }
        return plan.write(originDir);
    }
}
