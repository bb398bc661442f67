package io.musicfs.testkit.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One spec makes one corpus: same files, same bytes, same truth file. */
class DeterminismTest {

    @Test
    void theSameSeedMakesTheSameCorpusAndTruthFile(@TempDir Path dir) throws Exception {
        CorpusSpec spec = CorpusSpec.of(300).withSeed(1234);
        Corpus first = CorpusGenerator.generate(dir.resolve("a"), spec);
        Corpus second = CorpusGenerator.generate(dir.resolve("b"), spec);
        assertEquals(first, second);
        first.write(dir.resolve("a.tsv"));
        second.write(dir.resolve("b.tsv"));
        assertArrayEquals(Files.readAllBytes(dir.resolve("a.tsv")), Files.readAllBytes(dir.resolve("b.tsv")));
    }

    @Test
    void anotherSeedMakesAnotherLibraryButTheSameHardCases(@TempDir Path dir) throws Exception {
        Corpus first = CorpusGenerator.generate(dir.resolve("a"), CorpusSpec.of(100).withSeed(1));
        Corpus second = CorpusGenerator.generate(dir.resolve("b"), CorpusSpec.of(100).withSeed(2));
        assertNotEquals(first.presentOf(Corpus.BULK_CASE), second.presentOf(Corpus.BULK_CASE));
        assertEquals(first.presentOf(HardCase.UNICODE_CJK.id()), second.presentOf(HardCase.UNICODE_CJK.id()));
    }

    @Test
    void restrictedFormatsAreHonouredByBulkAndHardCases(@TempDir Path dir) throws Exception {
        Corpus corpus = CorpusGenerator.generate(dir, CorpusSpec.of(100).withFormats(AudioFormat.FLAC));
        corpus.present().stream().filter(e -> e.format() != null)
                .forEach(e -> assertEquals(AudioFormat.FLAC, e.format(), e.sourcePath()));
    }
}
