package io.musicfs.catalog.internal.sync;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class ListedFilesTest {

    @Test
    void audioExtensionsInAnyCaseAreListed() {
        for (String ext : List.of("flac", "mp3", "ogg", "oga", "opus", "m4a", "m4b", "mp4", "wav", "aif", "aiff", "aifc",
                "FLAC", "Mp3", "AIFF")) {
            assertTrue(ListedFiles.isListed("Artist/Album/01 Track." + ext), ext);
        }
        for (String name : List.of("cover.jpg", "notes.txt", "flac", "mp3.", "Album/.flac", "x.wma", "x.flac.part")) {
            assertFalse(ListedFiles.isListed(name), name);
        }
    }

    @Test
    void hiddenNamesAreSkippedAtAnyDepth() {
        assertFalse(ListedFiles.isListed(".hidden.flac"));
        assertFalse(ListedFiles.isListed(".Trash/Album/01.flac"));
        assertFalse(ListedFiles.isListed("Artist/.AppleDouble/01.flac"));
        assertFalse(ListedFiles.isListed("Artist/Album/._01.flac"));
        assertTrue(ListedFiles.isListed("Artist/Album. Live/01.flac"), "a dot inside a name is not hidden");
    }

    @Test
    void foldersWithDotsMayStillBeFolders() {
        assertFalse(ListedFiles.isSurelyNotAudio("Artist/Greatest Hits Vol. 2"));
        assertFalse(ListedFiles.isSurelyNotAudio("Artist/Album"));
        assertTrue(ListedFiles.isSurelyNotAudio("Artist/Album/cover.JPG"));
        assertTrue(ListedFiles.isSurelyNotAudio("Artist/Album/rip.log"));
    }
}
