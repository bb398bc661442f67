package io.musicfs.catalog.internal.path;

import static io.musicfs.catalog.internal.path.Tags.tags;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.musicfs.catalog.internal.TrackTags;

class PathPatternTest {

    /** Abbey Road, as a rich set of tags where every field has a value. */
    private static final TrackTags ABBEY_ROAD = tags().albumArtist("The Beatles").artist("John Lennon")
            .album("Abbey Road").title("Come Together").track(1, 17).disc(1, 2).date("1969-09-26")
            .genre("Rock").composer("Lennon-McCartney").format("FLAC").build();
    private static final String FILE = "01 Come Together.FLAC";

    private static List<String> render(String template, TrackTags tags) {
        return PathPattern.parse(template).render(tags, FILE);
    }

    private static String one(String template, TrackTags tags) {
        List<String> names = render(template, tags);
        assertEquals(1, names.size(), () -> "one name expected: " + names);
        return names.get(0);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '=', value = {
            "{albumartist} = The Beatles",
            "{artist} = John Lennon",
            "{album} = Abbey Road",
            "{title} = Come Together",
            "{track} = 1",
            "{tracktotal} = 17",
            "{disc} = 1",
            "{discnumber} = 1",
            "{disctotal} = 2",
            "{year} = 1969",
            "{genre} = Rock",
            "{composer} = Lennon-McCartney",
            "{format} = FLAC",
            "{ext} = flac",
            "{filename} = 01 Come Together.FLAC",
            "{stem} = 01 Come Together" })
    void everyFieldHasItsValue(String template, String expected) {
        assertEquals(expected, one(template, ABBEY_ROAD));
    }

    @Test
    void discAppearsOnlyForMultiDiscAlbums() {
        assertEquals("x", one("[{disc}-]x", tags().disc(1, 1).build()));
        assertEquals("x", one("[{disc}-]x", tags().disc(1, 0).build()));
        assertEquals("x", one("[{disc}-]x", tags().disc(0, 2).build()));
        assertEquals("1-x", one("[{disc}-]x", tags().disc(1, 2).build()));
        assertEquals("2-x", one("[{disc}-]x", tags().disc(2, 0).build()), "disc 2 without a total is multi-disc");
        assertEquals("1-x", one("[{discnumber}-]x", tags().disc(1, 1).build()), "discnumber is always there");
    }

    @Test
    void zeroNumbersAreEmpty() {
        TrackTags zero = tags().title("T").track(0, 0).disc(0, 0).build();
        assertEquals("T", one("[{track:2} - ][{tracktotal}][{discnumber}][{disctotal}]{title}", zero));
    }

    @Test
    void fallbackChainTakesFirstNonEmptyEntry() {
        String chain = "{albumartist|artist|'Unknown Artist'}";
        assertEquals("AA", one(chain, tags().albumArtist("AA").artist("A").build()));
        assertEquals("A", one(chain, tags().artist("A").build()));
        assertEquals("Unknown Artist", one(chain, tags().build()));
        assertEquals("A", one(chain, tags().albumArtist("\u0001\u0002 ").artist("A").build()),
                "a value that cleaning empties counts as empty");
        assertEquals("1969", one("{genre|year|'x'}", tags().date("1969").build()));
    }

    @Test
    void numbersArePaddedWithZeros() {
        assertEquals("03", one("{track:2}", tags().track(3, 0).build()));
        assertEquals("003", one("{track:3}", tags().track(3, 0).build()));
        assertEquals("123", one("{track:2}", tags().track(123, 0).build()), "never cut");
        assertEquals("02-07", one("{discnumber:2}-{track:2}", tags().track(7, 0).disc(2, 2).build()));
        assertEquals("7", one("{tracktotal:2|track}", tags().track(7, 0).build()), "padding belongs to its entry");
    }

    @Test
    void optionalSectionAppearsOnlyWhenAllItsFieldsHaveValues() {
        assertEquals("Abbey Road (1969)", one("{album}[ ({year})]", ABBEY_ROAD));
        assertEquals("Abbey Road", one("{album}[ ({year})]", tags().album("Abbey Road").build()));
        assertEquals("x", one("[{artist} - {genre} - ]x", tags().artist("A").build()), "one empty field hides all");
        assertEquals("A - G - x", one("[{artist} - {genre} - ]x", tags().artist("A").genre("G").build()));
        assertEquals("Abbey Road", one("{album}[ ({genre|year})]", tags().album("Abbey Road").build()));
        assertEquals("x", one("{genre}x", tags().build()), "outside a section an empty field is just empty");
    }

    @Test
    void nestedSectionIsIndependentOfItsParent() {
        String template = "{title}[ [{discnumber}-]{track}]";
        assertEquals("T 2-5", one(template, tags().title("T").track(5, 0).disc(2, 2).build()));
        assertEquals("T 5", one(template, tags().title("T").track(5, 0).build()));
        assertEquals("T", one(template, tags().title("T").disc(2, 2).build()));
    }

    @Test
    void sectionMayHoldAFolderSeparator() {
        String template = "{artist}/[{genre}/]{title}.{ext}";
        assertEquals(List.of("A", "Rock", "T.flac"), PathPattern.parse(template)
                .render(tags().artist("A").genre("Rock").title("T").build(), "t.flac"));
        assertEquals(List.of("A", "T.flac"), PathPattern.parse(template)
                .render(tags().artist("A").title("T").build(), "t.flac"));
    }

    @Test
    void escapesMakeSpecialCharactersLiteral() {
        assertEquals("{Come Together} [1969]", one("\\{{title}\\} \\[{year}\\]", ABBEY_ROAD));
        assertEquals("it's", one("{genre|'it\\'s'}", tags().build()));
        assertEquals("Rock 'n' Roll", one("{genre} 'n' Roll", tags().genre("Rock").build()),
                "a quote outside braces is plain text");
        assertEquals("a_b", one("a\\|b", tags().build()), "a literal | is still not allowed in a name");
        assertEquals("x_y", one("x:y", tags().build()), "template text is cleaned like values");
    }

    @Test
    void separatorsOnlyComeFromThePattern() {
        TrackTags tags = tags().artist("AC/DC").album("Live: At Donington?").title("*Hell* <Ain't> \"a\" Bad|Place\\")
                .build();
        assertEquals(List.of("AC_DC", "Live_ At Donington_", "_Hell_ _Ain't_ _a_ Bad_Place_.mp3"),
                PathPattern.parse("{artist}/{album}/{title}.{ext}").render(tags, "x.mp3"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '=', quoteCharacter = '"', value = {
            "..= _",
            "...= _",
            ".hidden= _hidden",
            "..x= _.x",
            "Trailing...= Trailing",
            "\"  Spaces  \"= Spaces",
            "\". .\"= _" })
    void namesAreCleaned(String album, String expected) {
        assertEquals(List.of(expected, "t.flac"),
                PathPattern.parse("{album}/{title}.{ext}").render(tags().album(album).title("t").build(), "f.flac"));
    }

    @Test
    void controlCharactersAreRemovedAndBrokenTextReplaced() {
        assertEquals("TabBellEndNul", one("{title}", tags().title("Tab\tBell\u0007End\u007fNul\u0000").build()));
        assertEquals("a_b", one("{title}", tags().title("a\uD800b").build()), "unpaired surrogate");
        assertEquals("\uD83C\uDFB5", one("{title}", tags().title("\uD83C\uDFB5").build()), "a pair is kept");
    }

    @Test
    void valuesAreComposed() {
        assertEquals("Bj\u00f6rk", one("{artist}", tags().artist("Bjo\u0308rk").build()));
    }

    @Test
    void emptyFolderNameBecomesUnderscore() {
        assertEquals(List.of("_", "T"), PathPattern.parse("{genre}/{title}").render(tags().title("T").build(), "f"));
    }

    @ParameterizedTest(name = "{0}: {1} at {2}")
    @CsvSource(delimiter = '=', quoteCharacter = '"', value = {
            "{artst}/{title}= unknown field 'artst'= 2",
            "{Artist}= unknown field 'Artist'= 2",
            "{artist= unclosed '{'= 1",
            "{artist}/[{album}= unclosed '['= 10",
            "{'Unknown}= unclosed quote= 2",
            "{}= empty field chain= 1",
            "{artist||album}= empty entry= 9",
            "{artist|}= empty entry= 9",
            "{''}= empty literal= 2",
            "{title:2}= not a number= 7",
            "{track:}= width= 7",
            "{track:0}= width= 7",
            "{track:10}= width= 7",
            "{artist/{title}= unexpected '/'= 8",
            "{ artist}= unexpected ' '= 2",
            "{'x':2}= unexpected ':'= 5",
            "a}b= '}' without '{'= 2",
            "a]b= ']' without '['= 2",
            "[Live] {title}= optional section has no field= 1",
            "/{title}= starts with '/'= 1",
            "{artist}/= ends with '/'= 9",
            "{artist}//{title}= empty folder name= 10",
            "a\\xb= must be followed by one of= 2",
            "a\\= must be followed by one of= 2" })
    void badTemplateIsRefusedWithPositionAndProblem(String template, String problem, int position) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PathPattern.parse(template));
        assertTrue(e.getMessage().contains(problem), e.getMessage());
        assertTrue(e.getMessage().endsWith("at position " + position), e.getMessage());
        assertTrue(e.getMessage().contains("\"" + template + "\""), "names the template: " + e.getMessage());
    }

    @Test
    void blankTemplateIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> PathPattern.parse(""));
        assertThrows(IllegalArgumentException.class, () -> PathPattern.parse("  "));
    }

    @Test
    void unknownFieldErrorListsTheFields() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PathPattern.parse("{x}"));
        assertTrue(e.getMessage().contains("albumartist, artist, album, title, track, tracktotal, disc, discnumber, "
                + "disctotal, year, genre, composer, format, ext, filename, stem"), e.getMessage());
    }
}
