package io.musicfs.catalog.internal.tags;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.musicfs.api.origin.OriginEntry;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a tag read costs: several-megabyte files of every format are read with a small, bounded
 * number of fetched bytes, and a big picture ahead of the tags is skipped, not fetched.
 */
class TagReaderBytesTest {

    /** The most a tag read of an ordinary file may fetch: the 64 KiB head plus a few read-aheads. */
    static final long SMALL = 160 * 1024;

    @TempDir
    static Path dir;
    static Path music;
    static Path noise;
    static DirectoryOrigin origin;
    static TagReader reader;

    @BeforeAll
    static void setUp() throws IOException {
        music = Files.createDirectories(dir.resolve("music"));
        noise = TestAudio.sourceWav(dir, "noise.wav", 30, true); // 5 MB of PCM that does not compress
        origin = new DirectoryOrigin("bytes", music);
        reader = new TagReader(dir.resolve("work"));
    }

    static TagReadResult read(String name) throws IOException {
        long size = Files.size(music.resolve(name));
        assertTrue(size > 2_000_000, name + " should be several MB, is " + size);
        origin.resetCounters();
        TagReadResult r = reader.read(origin, new OriginEntry(name, size, 0, null));
        assertTrue(r.readable(), name + ": " + r.problem());
        assertEquals(origin.bytesRead(), r.bytesFetched(), "the result counts what the origin delivered");
        System.out.printf("%-24s %,11d bytes: fetched %,8d bytes (%.2f%%) in %d reads%n", name, size,
                r.bytesFetched(), 100.0 * r.bytesFetched() / size, r.requests());
        return r;
    }

    @Test
    void severalMegabyteFilesOfEveryFormatFetchLittle() throws IOException {
        Path longNoise = TestAudio.sourceWav(dir, "long-noise.wav", 120, true);
        TestAudio.flac(noise, music.resolve("big.flac"), "TITLE=Big", "ARTIST=A");
        TestAudio.ffmpeg(longNoise, music.resolve("big.mp3"), List.of("-c:a", "libmp3lame", "-b:a", "320k"),
                Map.of("title", "Big"));
        TestAudio.ffmpeg(longNoise, music.resolve("big.m4a"), List.of("-c:a", "aac", "-b:a", "256k"),
                Map.of("title", "Big")); // moov after the audio
        TestAudio.ffmpeg(longNoise, music.resolve("big-fast.m4a"), List.of("-c:a", "aac", "-b:a", "256k", "-movflags",
                "+faststart"), Map.of("title", "Big"));
        TestAudio.ffmpeg(longNoise, music.resolve("big.ogg"), List.of("-c:a", "libvorbis", "-q:a", "8"),
                Map.of("title", "Big"));
        TestAudio.ffmpeg(longNoise, music.resolve("big.opus"), List.of("-c:a", "libopus", "-b:a", "256k"),
                Map.of("title", "Big"));
        TestAudio.ffmpeg(noise, music.resolve("big.wav"), List.of(), Map.of("title", "Big"));
        TestAudio.ffmpeg(noise, music.resolve("big.aiff"), List.of("-write_id3v2", "1"), Map.of("title", "Big"));
        for (String name : List.of("big.flac", "big.mp3", "big.m4a", "big-fast.m4a", "big.ogg", "big.opus", "big.wav",
                "big.aiff")) {
            TagReadResult r = read(name);
            assertEquals("Big", r.tags().title(), name);
            assertTrue(r.bytesFetched() <= SMALL, name + " fetched " + r.bytesFetched());
            assertTrue(r.requests() <= 6, name + " took " + r.requests() + " reads");
        }
    }

    @Test
    void flacWithAThreeMegabytePictureBeforeTheCommentSkipsThePicture() throws IOException {
        byte[] tagged = Files.readAllBytes(TestAudio.flac(noise, dir.resolve("src.flac"), "TITLE=After The Picture",
                "ARTIST=Artist", "TRACKNUMBER=3/12"));
        List<byte[]> blocks = new ArrayList<>(FlacBlocks.parse(tagged));
        byte[] comment = blocks.stream().filter(b -> FlacBlocks.type(b) == 4).findFirst().orElseThrow();
        blocks.remove(comment);
        blocks.add(1, FlacBlocks.picture(3 * 1024 * 1024)); // STREAMINFO, PICTURE, ..., then the comment
        blocks.add(comment);
        Files.write(music.resolve("picture-first.flac"), FlacBlocks.assemble(blocks, FlacBlocks.audio(tagged)));
        TagReadResult r = read("picture-first.flac");
        assertEquals("After The Picture", r.tags().title());
        assertEquals(12, r.tags().trackTotal());
        assertTrue(r.bytesFetched() <= SMALL, "fetched " + r.bytesFetched());
    }

    @Test
    void mp3WithAThreeMegabytePictureBeforeTheTitleSkipsThePicture() throws IOException {
        Path bare = TestAudio.mp3Bare(noise, dir.resolve("bare.mp3"), 320);
        for (int version : new int[] {3, 4}) {
            String name = "apic-first-v2" + version + ".mp3";
            byte[] title = TestAudio.concat(new byte[] {0}, "After The Picture".getBytes(StandardCharsets.ISO_8859_1));
            byte[] tag = TestAudio.id3v2(version, Map.of(), 1024, TestAudio.apic(version, 3 * 1024 * 1024),
                    TestAudio.frame(version, "TIT2", title));
            Files.write(music.resolve(name), TestAudio.concat(tag, Files.readAllBytes(bare)));
            TagReadResult r = read(name);
            assertEquals("After The Picture", r.tags().title());
            assertTrue(r.bytesFetched() <= SMALL, name + " fetched " + r.bytesFetched());
        }
    }
}
