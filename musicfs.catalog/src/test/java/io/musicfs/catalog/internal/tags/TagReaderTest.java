package io.musicfs.catalog.internal.tags;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.musicfs.api.origin.OriginEntry;
import io.musicfs.catalog.internal.TrackTags;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every format and tag flavour the reader supports, made by real encoders, read through ranged reads. */
class TagReaderTest {

    static final String UNICODE = "Ünïcødé — 日本語 🎵";

    @TempDir
    static Path dir;
    static Path sine;
    static Path bareMp3;
    static DirectoryOrigin origin;
    static TagReader reader;

    @BeforeAll
    static void setUp() throws IOException {
        Files.createDirectories(dir.resolve("music"));
        sine = TestAudio.sourceWav(dir, "sine.wav", 2, false);
        bareMp3 = TestAudio.mp3Bare(sine, dir.resolve("bare.mp3"), 128);
        origin = new DirectoryOrigin("test", dir.resolve("music"));
        reader = new TagReader(dir.resolve("work"));
    }

    static Path music(String name) {
        return dir.resolve("music").resolve(name);
    }

    static TagReadResult read(String name) throws IOException {
        Path p = music(name);
        return reader.read(origin, new OriginEntry(name, Files.size(p), 0, null));
    }

    static TrackTags readable(String name) throws IOException {
        TagReadResult r = read(name);
        assertTrue(r.readable(), name + " should be readable but: " + r.problem());
        return r.tags();
    }

    @Test
    void flacVorbisCommentsWithSlashTrackCompilationAndUnicode() throws IOException {
        TestAudio.flac(sine, music("a.flac"), "TITLE=" + UNICODE, "ARTIST=Artist", "ALBUMARTIST=Album Artist",
                "ALBUM=Album", "TRACKNUMBER=3/12", "DISCNUMBER=1", "DISCTOTAL=2", "DATE=1997-05-21", "GENRE=Rock",
                "COMPOSER=Composer", "COMPILATION=1");
        TrackTags t = readable("a.flac");
        assertEquals(new TrackTags("Album Artist", "Artist", "Album", UNICODE, 3, 12, 1, 2, "1997-05-21", "Rock",
                "Composer", true, "FLAC"), t);
        assertEquals("1997", t.year());
    }

    @Test
    void flacWithoutAnyTagIsReadableWithEmptyTags() throws IOException {
        TestAudio.flac(sine, music("untagged.flac"));
        TrackTags t = readable("untagged.flac");
        assertNull(t.title());
        assertEquals("FLAC", t.format());
    }

    @Test
    void mp3Id3v23WithTcmpAndNumericGenre() throws IOException {
        Map<String, String> frames = new LinkedHashMap<>();
        frames.put("TIT2", UNICODE);
        frames.put("TPE1", "Artist");
        frames.put("TPE2", "Album Artist");
        frames.put("TALB", "Album");
        frames.put("TRCK", "3/12");
        frames.put("TPOS", "2/3");
        frames.put("TYER", "1997");
        frames.put("TCON", "(17)");
        frames.put("TCOM", "Composer");
        frames.put("TCMP", "1");
        TestAudio.mp3Id3v2(bareMp3, music("v23.mp3"), 3, frames);
        assertEquals(new TrackTags("Album Artist", "Artist", "Album", UNICODE, 3, 12, 2, 3, "1997", "Rock",
                "Composer", true, "MP3"), readable("v23.mp3"));
    }

    @Test
    void mp3Id3v24Utf8() throws IOException {
        Map<String, String> frames = new LinkedHashMap<>();
        frames.put("TIT2", UNICODE);
        frames.put("TPE1", "Ärtist");
        frames.put("TALB", "Album");
        frames.put("TRCK", "7");
        frames.put("TDRC", "2001-02-03");
        frames.put("TCON", "Electronic");
        frames.put("TCMP", "1");
        TestAudio.mp3Id3v2(bareMp3, music("v24.mp3"), 4, frames);
        TrackTags t = readable("v24.mp3");
        assertEquals(UNICODE, t.title());
        assertEquals("Ärtist", t.artist());
        assertNull(t.albumArtist());
        assertEquals(7, t.track());
        assertEquals(0, t.trackTotal());
        assertEquals("2001-02-03", t.date());
        assertEquals("Electronic", t.genre());
        assertTrue(t.compilation());
    }

    @Test
    void mp3Id3v22() throws IOException {
        byte[] tag = TestAudio.id3v2(2, Map.of(), 64,
                TestAudio.frame(2, "TT2", TestAudio.concat(new byte[] {1}, UNICODE.getBytes(StandardCharsets.UTF_16))),
                TestAudio.frame(2, "TP1", TestAudio.concat(new byte[] {0}, "Old Artist".getBytes(StandardCharsets.ISO_8859_1))),
                TestAudio.frame(2, "TRK", TestAudio.concat(new byte[] {0}, "3/12".getBytes(StandardCharsets.ISO_8859_1))),
                TestAudio.frame(2, "TCO", TestAudio.concat(new byte[] {0}, "(8)".getBytes(StandardCharsets.ISO_8859_1))));
        Files.write(music("v22.mp3"), TestAudio.concat(tag, Files.readAllBytes(bareMp3)));
        TrackTags t = readable("v22.mp3");
        assertEquals(UNICODE, t.title());
        assertEquals("Old Artist", t.artist());
        assertEquals(3, t.track());
        assertEquals(12, t.trackTotal());
        assertEquals("Jazz", t.genre());
    }

    @Test
    void mp3Id3v1Only() throws IOException {
        TestAudio.mp3Id3v1(sine, music("v1.mp3"), "Title One", "Artist One", "Album One", "1985", "5", "Pop");
        TrackTags t = readable("v1.mp3");
        assertEquals("Title One", t.title());
        assertEquals("Artist One", t.artist());
        assertEquals("Album One", t.album());
        assertEquals("1985", t.date());
        assertEquals(5, t.track());
        assertEquals("Pop", t.genre());
        assertEquals("MP3", t.format());
    }

    @Test
    void mp3Id3v2CompletedById3v1() throws IOException {
        Path v1 = TestAudio.mp3Id3v1(sine, dir.resolve("v1-src.mp3"), "Old", "Old Artist", "Old Album", "1985", "5",
                "Pop");
        TestAudio.mp3Id3v2(v1, music("v2v1.mp3"), 4, Map.of("TIT2", "New Title"));
        TrackTags t = readable("v2v1.mp3");
        assertEquals("New Title", t.title());
        assertEquals("Old Artist", t.artist());
    }

    @Test
    void mp3FromFfmpegWithTxxxCompilation() throws IOException {
        TestAudio.ffmpeg(sine, music("ff.mp3"), List.of("-c:a", "libmp3lame", "-b:a", "96k"),
                Map.of("title", "FF Title", "album_artist", "Various", "track", "3/12", "disc", "1/2",
                        "compilation", "1", "date", "2010"));
        TrackTags t = readable("ff.mp3");
        assertEquals("FF Title", t.title());
        assertEquals("Various", t.albumArtist());
        assertEquals(3, t.track());
        assertEquals(12, t.trackTotal());
        assertEquals(1, t.disc());
        assertEquals(2, t.discTotal());
        assertTrue(t.compilation(), "ffmpeg writes the flag as TXXX:TCMP");
    }

    @Test
    void oggVorbis() throws IOException {
        TestAudio.oggVorbis(sine, music("a.ogg"), "TITLE=" + UNICODE, "ARTIST=Artist", "ALBUM=Album",
                "ALBUMARTIST=AA", "TRACKNUMBER=3", "TRACKTOTAL=12", "DATE=1997", "COMPILATION=1");
        TrackTags t = readable("a.ogg");
        assertEquals(new TrackTags("AA", "Artist", "Album", UNICODE, 3, 12, 0, 0, "1997", null, null, true,
                "Ogg Vorbis"), t);
    }

    @Test
    void opus() throws IOException {
        TestAudio.opus(sine, music("a.opus"), "TITLE=" + UNICODE, "ARTIST=Artist", "ALBUM=Album",
                "TRACKNUMBER=3/12", "DISCNUMBER=2/2", "GENRE=Jazz");
        TrackTags t = readable("a.opus");
        assertEquals(UNICODE, t.title());
        assertEquals(3, t.track());
        assertEquals(12, t.trackTotal());
        assertEquals(2, t.disc());
        assertEquals(2, t.discTotal());
        assertEquals("Jazz", t.genre());
        assertEquals("Opus", t.format());
    }

    @Test
    void opusInADotOggFileIsOpus() throws IOException {
        TestAudio.opus(sine, music("opus-in.ogg"), "TITLE=Opus In Ogg");
        TrackTags t = readable("opus-in.ogg");
        assertEquals("Opus In Ogg", t.title());
        assertEquals("Opus", t.format());
    }

    @Test
    void flacInOgg() throws IOException {
        TestAudio.ffmpeg(sine, music("flac.oga"), List.of("-c:a", "flac"), Map.of("title", "Ogg Flac", "track", "4"));
        TrackTags t = readable("flac.oga");
        assertEquals("Ogg Flac", t.title());
        assertEquals(4, t.track());
        assertEquals("FLAC", t.format());
    }

    @Test
    void m4aAacWithTrknAndCpil() throws IOException {
        Map<String, String> md = Map.of("title", UNICODE, "artist", "Artist", "album_artist", "AA", "album", "Album",
                "track", "3/12", "disc", "1/2", "date", "1997", "genre", "Rock", "composer", "Composer",
                "compilation", "1");
        TestAudio.ffmpeg(sine, music("a.m4a"), List.of("-c:a", "aac", "-b:a", "64k"), md);
        assertEquals(new TrackTags("AA", "Artist", "Album", UNICODE, 3, 12, 1, 2, "1997", "Rock", "Composer", true,
                "AAC"), readable("a.m4a"));
    }

    @Test
    void m4aFastStartAndAlacInM4b() throws IOException {
        TestAudio.ffmpeg(sine, music("fast.m4a"), List.of("-c:a", "aac", "-movflags", "+faststart"),
                Map.of("title", "Fast"));
        assertEquals("Fast", readable("fast.m4a").title());
        TestAudio.ffmpeg(sine, music("lossless.m4b"), List.of("-c:a", "alac", "-f", "ipod"),
                Map.of("title", "Lossless", "track", "1/9"));
        TrackTags t = readable("lossless.m4b");
        assertEquals("Lossless", t.title());
        assertEquals(9, t.trackTotal());
        assertEquals("ALAC", t.format());
    }

    @Test
    void wavListInfo() throws IOException {
        TestAudio.ffmpeg(sine, music("a.wav"), List.of(), Map.of("title", UNICODE, "artist", "Artist", "album",
                "Album", "date", "1997", "genre", "Rock"));
        TrackTags t = readable("a.wav");
        assertEquals(UNICODE, t.title());
        assertEquals("Artist", t.artist());
        assertEquals("Album", t.album());
        assertEquals("1997", t.year());
        assertEquals("WAV", t.format());
    }

    @Test
    void untaggedWavIsReadable() throws IOException {
        Files.copy(sine, music("plain.wav"));
        assertEquals("WAV", readable("plain.wav").format());
    }

    @Test
    void aiffWithId3Chunk() throws IOException {
        TestAudio.ffmpeg(sine, music("a.aiff"), List.of("-write_id3v2", "1"), Map.of("title", UNICODE, "artist",
                "Artist", "album_artist", "AA", "track", "3/12", "compilation", "1"));
        TrackTags t = readable("a.aiff");
        assertEquals(UNICODE, t.title());
        assertEquals("AA", t.albumArtist());
        assertEquals(3, t.track());
        assertEquals(12, t.trackTotal());
        assertTrue(t.compilation());
        assertEquals("AIFF", t.format());
        Files.copy(music("a.aiff"), music("a.aif"));
        assertEquals(UNICODE, readable("a.aif").title());
    }

    @Test
    void aFileThatIsNotWhatItsExtensionSaysIsUnreadable() throws IOException {
        TestAudio.flac(sine, music("real.flac"), "TITLE=x");
        Files.copy(music("real.flac"), music("flac-named.mp3"));
        Files.copy(music("real.flac"), music("flac-named.m4a"));
        Files.copy(bareMp3, music("mp3-named.flac"));
        Files.copy(bareMp3, music("mp3-named.wav"));
        TestAudio.oggVorbis(sine, music("vorbis-named.opus"), "TITLE=x");
        for (String name : List.of("flac-named.mp3", "flac-named.m4a", "mp3-named.flac", "mp3-named.wav",
                "vorbis-named.opus")) {
            TagReadResult r = read(name);
            assertFalse(r.readable(), name + " must be unreadable");
            assertEquals(TrackTags.NONE, r.tags());
            assertNotNull(r.problem());
        }
    }

    @Test
    void extensionCaseDoesNotMatter() throws IOException {
        TestAudio.flac(sine, music("UPPER.FLAC"), "TITLE=Upper");
        assertEquals("Upper", readable("UPPER.FLAC").title());
    }
}
