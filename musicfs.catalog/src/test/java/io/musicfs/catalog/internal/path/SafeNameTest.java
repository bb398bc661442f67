package io.musicfs.catalog.internal.path;

import static io.musicfs.catalog.internal.path.Tags.tags;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

class SafeNameTest {

    private static final String CJK = "\u97f3"; // 3 bytes
    private static final String EMOJI = "\uD83C\uDFB5"; // 4 bytes, a surrogate pair

    /** Asserts the name fits, is valid UTF-8 both ways, and was cut as little as possible. */
    private static void assertFits(String name, int minBytes) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        assertTrue(bytes.length <= SafeName.MAX_BYTES, bytes.length + " bytes: " + name);
        assertTrue(bytes.length >= minBytes, "cut more than needed: " + bytes.length + " bytes");
        assertEquals(bytes.length, SafeName.utf8Length(name));
        try {
            String decoded = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            assertEquals(name, decoded, "UTF-8 round trip");
        } catch (CharacterCodingException e) {
            throw new AssertionError("not valid UTF-8: " + name, e);
        }
    }

    private static String fileName(String title, String originalName) {
        List<String> names = PathPattern.parse("{title}.{ext}").render(tags().title(title).build(), originalName);
        return names.get(0);
    }

    @Test
    void longCjkTitleIsCutOnACharacterAndKeepsTheExtension() {
        String name = fileName(CJK.repeat(100), "a.flac");
        assertTrue(name.endsWith(".flac"), name);
        assertFits(name, SafeName.MAX_BYTES - 2);
        assertEquals(CJK.repeat(83) + ".flac", name); // 249 + 5 bytes; one more character would be 257
    }

    @Test
    void emojiAtTheBoundaryIsNeverSplit() {
        for (int shift = 0; shift < 4; shift++) {
            String title = "a".repeat(shift) + EMOJI.repeat(70);
            String name = fileName(title, "x.mp3");
            assertTrue(name.endsWith(".mp3"), name);
            assertFits(name, SafeName.MAX_BYTES - 3);
            String stem = name.substring(0, name.length() - 4);
            assertTrue(!Character.isHighSurrogate(stem.charAt(stem.length() - 1)), "split pair at shift " + shift);
        }
    }

    @Test
    void originalExtensionIsKeptIgnoringCase() {
        String original = "x".repeat(300) + ".FLAC";
        String name = PathPattern.parse("{filename}").render(tags().build(), original).get(0);
        assertEquals("x".repeat(250) + ".FLAC", name);
    }

    @Test
    void folderNameIsCutWithoutExtensionRule() {
        List<String> names = PathPattern.parse("{album}/{title}.{ext}")
                .render(tags().album("\u00e9".repeat(200) + ".flac").title("t").build(), "a.flac");
        assertEquals("\u00e9".repeat(127), names.get(0), "2-byte characters: 127 fit, the tail is cut");
    }

    @Test
    void cutThatEndsInASpaceOrDotIsCleanedAgain() {
        String name = SafeName.name("x".repeat(252) + " . " + "y".repeat(10), "");
        assertEquals("x".repeat(252), name);
    }

    @Test
    void nameThatIsOnlyAnExtensionStillGetsAStem() {
        assertEquals("_flac", SafeName.name(".flac", "flac"));
    }

    @Test
    void suffixGoesBeforeTheExtension() {
        assertEquals("01 - Intro (2).flac", SafeName.withSuffix("01 - Intro.flac", "flac", " (2)"));
        assertEquals("Intro (2)", SafeName.withSuffix("Intro", "flac", " (2)"), "no extension: at the end");
        assertEquals("Vol. 2 (3)", SafeName.withSuffix("Vol. 2", "", " (3)"));
    }

    @Test
    void suffixStillFitsIn255Bytes() {
        String full = SafeName.name(EMOJI.repeat(100) + ".flac", "flac");
        String renamed = SafeName.withSuffix(full, "flac", " (12)");
        assertTrue(renamed.endsWith(" (12).flac"), renamed);
        assertFits(renamed, SafeName.MAX_BYTES - 3);
    }

    @Test
    void extensionIsTheLowerCasedTailOfTheFileName() {
        assertEquals("flac", SafeName.extensionOf("Track.FLAC"));
        assertEquals("mp3", SafeName.extensionOf("some.dir/track.mp3"));
        assertEquals("", SafeName.extensionOf("some.dir/track"));
        assertEquals("", SafeName.extensionOf(".hidden"));
        assertEquals("", SafeName.extensionOf("track."));
    }
}
