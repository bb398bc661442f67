package io.musicfs.testkit.corpus;

import java.util.Random;

/**
 * Plans every {@link HardCase} into a corpus, under {@code Hard Cases/}, {@code Links/},
 * {@code Music/} and a hidden {@code .stash/}. The cases live in three groups: naming
 * ({@link NamingCases}), tags ({@link TagCases}) and the file system ({@link FileSystemCases}).
 * Each case writes its expected paths out literally; the few rules that need arithmetic (the
 * 255-byte cut, collision suffixes) go through {@link ExpectedPaths}. When the spec leaves out a
 * case's preferred format, the case uses the first allowed format instead (see
 * {@link CorpusPlan#layout}), so both its source and expected names take that format's extension.
 */
final class HardCases {

    static final String ROOT = "Hard Cases/";

    private HardCases() {
    }

    static void plan(CorpusPlan plan, Random random) {
        NamingCases.plan(plan);
        TagCases.plan(plan);
        FileSystemCases.plan(plan, random);
    }

    /**
     * Plans a tagged track of {@code hardCase}, in {@code preferred} layout or the fallback; the
     * source and expected paths are given without extension.
     */
    static void track(CorpusPlan plan, HardCase hardCase, TagLayout preferred, String sourceStem, Tags tags,
                      String expectedStem) {
        TagLayout layout = plan.layout(preferred);
        String extension = layout.format().extension();
        plan.track(hardCase.id(), sourceStem + "." + extension, layout, tags, expectedStem + "." + extension);
    }
}
