package io.musicfs.catalog.internal.path;

import static io.musicfs.catalog.internal.path.Tags.tags;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.musicfs.catalog.internal.CatalogEntry;
import io.musicfs.catalog.internal.TrackTags;

class LibraryLayoutTest {

    private static final LibraryLayout LAYOUT = LibraryLayout.defaults();

    private static String pathOf(String originPath, TrackTags tags) {
        return String.join("/", LAYOUT.pathOf(new CatalogEntry(7, "nas", originPath, 1000, 0, null, tags)));
    }

    @Test
    void defaultPatternNamesAnAlbumTrack() {
        TrackTags airbag = tags().artist("Radiohead").album("OK Computer").title("Airbag").track(1, 12).disc(1, 1)
                .date("1997-05-21").format("FLAC").build();
        assertEquals("Radiohead/OK Computer (1997)/01 - Airbag.flac", pathOf("rips/ok/01 airbag.FLAC", airbag));
    }

    @Test
    void albumArtistWinsOverTrackArtist() {
        TrackTags tags = tags().albumArtist("Santana").artist("Santana feat. Rob Thomas").album("Supernatural")
                .title("Smooth").track(12, 13).date("1999").build();
        assertEquals("Santana/Supernatural (1999)/12 - Smooth.mp3", pathOf("smooth.mp3", tags));
    }

    @Test
    void multiDiscAlbumPrefixesTheDisc() {
        TrackTags heyYou = tags().artist("Pink Floyd").album("The Wall").title("Hey You").track(1, 13).disc(2, 2)
                .date("1979").build();
        TrackTags inTheFlesh = tags().artist("Pink Floyd").album("The Wall").title("In the Flesh?").track(1, 13)
                .disc(1, 2).date("1979").build();
        assertEquals("Pink Floyd/The Wall (1979)/2-01 - Hey You.flac", pathOf("wall/2-01.flac", heyYou));
        assertEquals("Pink Floyd/The Wall (1979)/1-01 - In the Flesh_.flac", pathOf("wall/1-01.flac", inTheFlesh));
    }

    @Test
    void missingTagsFallBackInTheDefaultPattern() {
        assertEquals("Unknown Artist/Unknown Album/Title.ogg", pathOf("a/b.ogg", tags().title("Title").build()));
    }

    @Test
    void compilationFlagUsesTheCompilationPattern() {
        TrackTags karma = tags().albumArtist("Various").artist("Culture Club").album("Now 1").title("Karma Chameleon")
                .track(3, 30).date("1983").compilation().build();
        assertEquals("Compilations/Now 1 (1983)/03 - Culture Club - Karma Chameleon.mp3", pathOf("now/03.mp3", karma));
    }

    @Test
    void variousArtistsInAnyCaseIsACompilation() {
        TrackTags tags = tags().albumArtist("VARIOUS artists").artist("Toto").album("80s Hits").title("Africa")
                .track(5, 20).disc(2, 2).build();
        assertEquals("Compilations/80s Hits/2-05 - Toto - Africa.m4a", pathOf("hits/africa.m4a", tags));
    }

    @Test
    void compilationTrackWithoutArtistHasNoArtistPrefix() {
        TrackTags tags = tags().album("Mix").title("Intro").track(1, 0).compilation().build();
        assertEquals("Compilations/Mix/01 - Intro.flac", pathOf("intro.flac", tags));
    }

    @Test
    void trackWithoutTitleIsUntaggedAndKeepsItsOriginalName() {
        assertEquals("Unknown Artist/Unknown Album/track07.mp3", pathOf("downloads/stuff/track07.mp3", TrackTags.NONE));
        assertEquals("Unknown Artist/Unknown Album/Intro.MP3",
                pathOf("x/Intro.MP3", tags().artist("Someone").album("Something").compilation().build()),
                "no title wins over compilation");
        assertEquals("Unknown Artist/Unknown Album/Mix_ Part 1.flac",
                pathOf("Mix: Part 1.flac", tags().title("\u0000").build()), "a title that cleaning empties is none");
    }

    @Test
    void configuredPatternsAreUsed() {
        LibraryLayout layout = new LibraryLayout("{genre|'Other'}/{artist}/{title}.{ext}", "VA/{title}.{ext}",
                "Loose/{stem}.{ext}");
        assertEquals(List.of("Jazz", "Miles Davis", "So What.flac"), layout.pathOf(new CatalogEntry(2, "o",
                "so what.flac", 1, 0, null, tags().genre("Jazz").artist("Miles Davis").title("So What").build())));
        assertEquals(List.of("VA", "X.flac"), layout.pathOf(new CatalogEntry(3, "o", "x.flac", 1, 0, null,
                tags().title("X").compilation().build())));
        assertEquals(List.of("Loose", "noise.wav"), layout.pathOf(new CatalogEntry(4, "o", "d/noise.WAV", 1, 0, null,
                TrackTags.NONE)));
    }

    @Test
    void badConfiguredPatternNamesTheProperty() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LibraryLayout(LibraryLayout.DEFAULT_PATTERN, "Compilations/{albm}/{title}.{ext}",
                        LibraryLayout.UNTAGGED_PATTERN));
        assertTrue(e.getMessage().startsWith("path.compilation: "), e.getMessage());
        assertTrue(e.getMessage().contains("unknown field 'albm'") && e.getMessage().endsWith("position 15"),
                e.getMessage());
        NullPointerException missing = assertThrows(NullPointerException.class,
                () -> new LibraryLayout(LibraryLayout.DEFAULT_PATTERN, LibraryLayout.COMPILATION_PATTERN, null));
        assertEquals("path.untagged", missing.getMessage());
    }
}
