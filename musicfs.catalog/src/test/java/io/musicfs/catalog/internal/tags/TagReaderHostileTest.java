package io.musicfs.catalog.internal.tags;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.musicfs.api.origin.OriginEntry;
import io.musicfs.catalog.internal.TrackTags;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile input: random bytes, empty and all-zero files, truncations, absurd sizes in headers,
 * huge tags, and random mutations of real files. The reader must answer every one with a result
 * (readable or not), never an exception, never a hang, and never fetch the whole of a big file.
 */
class TagReaderHostileTest {

    static final List<String> EXTENSIONS = List.of("flac", "mp3", "ogg", "oga", "opus", "m4a", "m4b", "mp4", "wav",
            "aif", "aiff", "aifc");

    @TempDir
    static Path dir;
    static Path music;
    static DirectoryOrigin origin;
    static TagReader reader;
    /** One valid, tagged sample per format: the seeds of truncation and mutation. */
    static final Map<String, byte[]> samples = new LinkedHashMap<>();

    @BeforeAll
    static void setUp() throws IOException {
        music = Files.createDirectories(dir.resolve("music"));
        origin = new DirectoryOrigin("hostile", music);
        reader = new TagReader(dir.resolve("work"));
        Path sine = TestAudio.sourceWav(dir, "sine.wav", 1, false);
        Path bare = TestAudio.mp3Bare(sine, dir.resolve("bare.mp3"), 64);
        samples.put("flac", Files.readAllBytes(TestAudio.flac(sine, dir.resolve("s.flac"), "TITLE=T", "ARTIST=A")));
        samples.put("mp3", Files.readAllBytes(TestAudio.mp3Id3v2(bare, dir.resolve("s.mp3"), 3,
                Map.of("TIT2", "T", "TPE1", "A", "TRCK", "3/12"))));
        samples.put("ogg", Files.readAllBytes(TestAudio.oggVorbis(sine, dir.resolve("s.ogg"), "TITLE=T")));
        samples.put("opus", Files.readAllBytes(TestAudio.opus(sine, dir.resolve("s.opus"), "TITLE=T")));
        samples.put("m4a", Files.readAllBytes(TestAudio.ffmpeg(sine, dir.resolve("s.m4a"), List.of("-c:a", "aac"),
                Map.of("title", "T"))));
        samples.put("wav", Files.readAllBytes(TestAudio.ffmpeg(sine, dir.resolve("s.wav"), List.of(),
                Map.of("title", "T"))));
        samples.put("aiff", Files.readAllBytes(TestAudio.ffmpeg(sine, dir.resolve("s.aiff"),
                List.of("-write_id3v2", "1"), Map.of("title", "T"))));
    }

    static TagReadResult read(String name, byte[] content) throws IOException {
        Files.write(music.resolve(name), content);
        return reader.read(origin, new OriginEntry(name, content.length, 0, null));
    }

    static void assertUnreadable(String name, byte[] content) throws IOException {
        TagReadResult r = read(name, content);
        assertFalse(r.readable(), name + " must be unreadable");
        assertEquals(TrackTags.NONE, r.tags());
        assertTrue(r.problem() != null && !r.problem().isBlank());
    }

    @Test
    void samplesAreReadable() throws IOException {
        for (Map.Entry<String, byte[]> e : samples.entrySet()) {
            TagReadResult r = read("sample." + e.getKey(), e.getValue());
            assertTrue(r.readable(), e.getKey() + ": " + r.problem());
            assertEquals("T", r.tags().title(), e.getKey());
        }
    }

    @Test
    void randomBytesAreUnreadableForEveryExtension() throws IOException {
        Random random = new Random(42);
        for (int size : new int[] {1, 3, 10, 100, 4096, 100_000, 1_000_000}) {
            for (String ext : EXTENSIONS) {
                byte[] b = new byte[size];
                random.nextBytes(b);
                String name = "random-" + size + "." + ext;
                assertUnreadable(name, b);
            }
        }
    }

    @Test
    void randomBytesMp3OfSeveralMegabytesFetchesLittle() throws IOException {
        byte[] b = new byte[4 * 1024 * 1024];
        new Random(1).nextBytes(b);
        TagReadResult r = read("random-big.mp3", b);
        assertFalse(r.readable());
        assertTrue(r.bytesFetched() <= 400 * 1024, "fetched " + r.bytesFetched());
    }

    @Test
    void emptyAndAllZeroFilesAreUnreadable() throws IOException {
        for (String ext : EXTENSIONS) {
            assertUnreadable("empty." + ext, new byte[0]);
            assertUnreadable("zeros." + ext, new byte[1_000_000]);
        }
    }

    @Test
    void truncatedFilesNeverThrow() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (Map.Entry<String, byte[]> e : samples.entrySet()) {
                byte[] full = e.getValue();
                for (int cut : new int[] {1, 4, 8, 10, 12, 27, 42, 100, 1000, full.length / 2, full.length - 129,
                        full.length - 1}) {
                    if (cut > 0 && cut < full.length) {
                        read("cut-" + cut + "." + e.getKey(), Arrays.copyOf(full, cut)); // must return, whatever it says
                    }
                }
            }
        });
    }

    @Test
    void absurdSizesInHeadersAreUnreadable() throws IOException {
        // an ID3v2 tag claiming 256 MB in a tiny file
        assertUnreadable("id3-huge.mp3", TestAudio.concat(
                new byte[] {'I', 'D', '3', 4, 0, 0, 0x7F, 0x7F, 0x7F, 0x7F}, new byte[5000]));
        // a FLAC block claiming 16 MB
        byte[] flac = samples.get("flac").clone();
        flac[4 + 34 + 4 + 1] = (byte) 0xFF; // length of the block after STREAMINFO
        flac[4 + 34 + 4 + 2] = (byte) 0xFF;
        flac[4 + 34 + 4 + 3] = (byte) 0xFF;
        assertUnreadable("block-huge.flac", flac);
        // a FLAC STREAMINFO marked "last" followed by garbage instead of audio
        byte[] noAudio = TestAudio.concat(Arrays.copyOf(samples.get("flac"), 4 + 4 + 34), new byte[1000]);
        noAudio[4] = (byte) 0x80;
        assertUnreadable("no-audio.flac", noAudio);
        // MP4: moov claiming 4 GB, then a 64-bit box size that is negative
        byte[] m4a = samples.get("m4a").clone();
        int moov = indexOf(m4a, "moov") - 4;
        m4a[moov] = (byte) 0xFF;
        m4a[moov + 1] = (byte) 0xFF;
        m4a[moov + 2] = (byte) 0xFF;
        m4a[moov + 3] = (byte) 0xFF;
        assertUnreadable("moov-huge.m4a", m4a);
        byte[] box64 = TestAudio.concat(Arrays.copyOf(samples.get("m4a"), 28),
                new byte[] {0, 0, 0, 1, 'm', 'd', 'a', 't', (byte) 0x80, 0, 0, 0, 0, 0, 0, 0}, new byte[100]);
        assertUnreadable("box64.m4a", box64);
        // WAV: the LIST chunk claims 4 GB
        byte[] wav = samples.get("wav").clone();
        int list = indexOf(wav, "LIST");
        Arrays.fill(wav, list + 4, list + 8, (byte) 0xFF);
        assertUnreadable("list-huge.wav", wav);
        // Ogg: the first page's segment table promises more data than the file has
        byte[] ogg = Arrays.copyOf(samples.get("ogg"), 40);
        assertUnreadable("page-short.ogg", ogg);
    }

    @Test
    void vorbisCommentWithAbsurdCountsAndLengthsIsBounded() throws IOException {
        // vendor length 0xFFFFFFF0: must not allocate 4 GB
        assertUnreadable("vendor-huge.flac", flacWithComment(le(0xFFFFFFF0), new byte[0]));
        // a comment count of two billion with nothing behind it: reads what is there, no loop of 2^31
        TagReadResult r = read("count-huge.flac", flacWithComment(le(0), le(0x7FFFFFFF)));
        assertTrue(r.readable(), String.valueOf(r.problem()));
        // a field claiming more than the block: keeps the fields before it
        byte[] title = "TITLE=Kept".getBytes(StandardCharsets.UTF_8);
        r = read("field-huge.flac", flacWithComment(le(0), le(2), le(title.length), title, le(0x7FFFFFFF)));
        assertTrue(r.readable(), String.valueOf(r.problem()));
        assertEquals("Kept", r.tags().title());
    }

    @Test
    void hugeTagsAreReadWithoutFetchingTheirBulk() throws IOException {
        // a 5 MB text frame (garbage) ahead of the real title in an ID3v2.4 tag
        byte[] bulk = new byte[5 * 1024 * 1024];
        Arrays.fill(bulk, (byte) 'x');
        bulk[0] = 3;
        byte[] tag = TestAudio.id3v2(4, Map.of(), 0, TestAudio.frame(4, "TXXX", bulk),
                TestAudio.frame(4, "TIT2", TestAudio.concat(new byte[] {3}, "After Bulk".getBytes(StandardCharsets.UTF_8))));
        byte[] mp3 = TestAudio.concat(tag, Arrays.copyOfRange(samples.get("mp3"), id3Length(samples.get("mp3")),
                samples.get("mp3").length));
        TagReadResult r = read("bulk.mp3", mp3);
        assertTrue(r.readable(), r.problem());
        assertEquals("After Bulk", r.tags().title());
        assertTrue(r.bytesFetched() < 300 * 1024, "fetched " + r.bytesFetched());
        // a 5 MB value in a FLAC comment is read (the comment block is needed whole) and capped in length
        byte[] longValue = ("TITLE=" + "y".repeat(60_000)).getBytes(StandardCharsets.UTF_8);
        byte[] huge = ("COMMENT=" + "z".repeat(5 * 1024 * 1024)).getBytes(StandardCharsets.UTF_8);
        r = read("huge-comment.flac", flacWithComment(le(0), le(2), le(huge.length), huge, le(longValue.length),
                longValue));
        assertTrue(r.readable(), r.problem());
        assertEquals(TagValues.MAX_VALUE_CHARS, r.tags().title().length());
    }

    @Test
    void randomMutationsOfRealFilesNeverThrowOrHang() {
        Random random = new Random(2024);
        int iterations = Integer.getInteger("musicfs.fuzz", 150); // -Dmusicfs.fuzz=5000 for a longer run
        assertTimeoutPreemptively(Duration.ofSeconds(120L + iterations / 10), () -> {
            for (Map.Entry<String, byte[]> e : samples.entrySet()) {
                for (int i = 0; i < iterations; i++) {
                    byte[] b = e.getValue().clone();
                    int mutations = 1 + random.nextInt(16);
                    for (int m = 0; m < mutations; m++) {
                        // mostly in the headers, where the structure is
                        int at = random.nextInt(4) == 0 ? random.nextInt(b.length) : random.nextInt(Math.min(b.length, 4096));
                        b[at] = (byte) random.nextInt(256);
                    }
                    if (random.nextInt(8) == 0) {
                        b = Arrays.copyOf(b, 1 + random.nextInt(b.length)); // and truncated
                    }
                    read("mutant." + e.getKey(), b);
                }
            }
        });
    }

    /** A FLAC file whose VORBIS_COMMENT block body is the concatenated parts. */
    private static byte[] flacWithComment(byte[]... parts) {
        byte[] flac = samples.get("flac");
        List<byte[]> blocks = FlacBlocks.parse(flac);
        byte[] comment = TestAudio.concat(parts);
        List<byte[]> out = new ArrayList<>();
        out.add(blocks.get(0)); // STREAMINFO
        out.add(FlacBlocks.block(4, comment));
        return FlacBlocks.assemble(out, FlacBlocks.audio(flac));
    }

    static byte[] le(long v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array();
    }

    static int indexOf(byte[] b, String ascii) {
        byte[] p = ascii.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + p.length <= b.length; i++) {
            for (int k = 0; k < p.length; k++) {
                if (b[i + k] != p[k]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError(ascii + " not found");
    }

    static int id3Length(byte[] b) {
        return 10 + ((b[6] & 0x7F) << 21 | (b[7] & 0x7F) << 14 | (b[8] & 0x7F) << 7 | (b[9] & 0x7F));
    }
}
