package io.musicfs.testkit.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The naming rules the truth is computed with. */
class ExpectedPathsTest {

    @Test
    void plainTagsFollowTheDefaultAndCompilationPatterns() {
        Tags.Builder t = Tags.builder().artist("Pink Floyd").album("The Wall").date("1979-11-30").title("Hey You")
                .track(1, 13).disc(2, 2);
        assertEquals("Pink Floyd/The Wall (1979)/2-01 - Hey You.flac", ExpectedPaths.forPlainTags(t.build(), "flac"));
        assertEquals("Pink Floyd/The Wall (1979)/01 - Hey You.flac",
                ExpectedPaths.forPlainTags(t.disc(1, 1).build(), "flac"));
        assertEquals("Compilations/The Wall/Pink Floyd - Hey You.mp3", ExpectedPaths.forPlainTags(
                t.albumArtist("VARIOUS ARTISTS").date(null).track(0, 0).build(), "mp3"));
        assertThrows(IllegalArgumentException.class,
                () -> ExpectedPaths.forPlainTags(t.title("What?").build(), "mp3"));
    }

    @Test
    void theCutKeepsWholeCharactersAndTheExtension() {
        assertEquals("ab", ExpectedPaths.cut("ab長", 4));
        assertEquals("a", ExpectedPaths.cut("a😀", 4));
        assertEquals("a😀", ExpectedPaths.cut("a😀", 5));
        String name = ExpectedPaths.fileName("x".repeat(300), "flac");
        assertEquals(255, name.length());
        assertEquals(".flac", name.substring(250));
    }

    @Test
    void collisionsAreNumberedInCodePointOrderNotUtf16Order() {
        // U+FF5E sorts before U+1F600 by code point, after it by UTF-16 unit (surrogates are D800-DFFF).
        Map<String, String> paths = ExpectedPaths.collided(List.of("a/\uD83D\uDE00.mp3", "a/\uFF5E.mp3"), "X/Y",
                "01 - T", "mp3");
        assertEquals(Map.of("a/\uFF5E.mp3", "X/Y/01 - T.mp3", "a/\uD83D\uDE00.mp3", "X/Y/01 - T (2).mp3"), paths);
    }

    @Test
    void theConsistencyCheckCatchesWrongExpectations() {
        assertThrows(IllegalStateException.class,
                () -> ExpectedPaths.checkConsistent(List.of("The Beatles/A/1.flac", "the beatles/A/2.flac")));
        assertThrows(IllegalStateException.class,
                () -> ExpectedPaths.checkConsistent(List.of("A/B/1.flac", "A/b/1.FLAC")));
        assertThrows(IllegalStateException.class, () -> ExpectedPaths.checkConsistent(List.of("A/.B/1.flac")));
        assertThrows(IllegalStateException.class, () -> ExpectedPaths.checkConsistent(List.of("A/B./1.flac")));
        assertThrows(IllegalStateException.class, () -> ExpectedPaths.checkConsistent(List.of("A:/B/1.flac")));
        ExpectedPaths.checkConsistent(List.of("The Beatles/A/1.flac", "The Beatles/A/2.flac"));
    }
}
