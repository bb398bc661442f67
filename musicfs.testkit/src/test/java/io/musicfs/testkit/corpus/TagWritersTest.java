package io.musicfs.testkit.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Each tag writer on its own: the audio survives, the structures stay valid at their limits. */
class TagWritersTest {

    private static final Tags TAGS = Tags.builder().artist("Writer Test").albumArtist("Writers").album("Layouts")
            .title("Kept Audio").track(3, 12).disc(1, 2).date("2001-02-03").genre("Rock").composer("Some One")
            .compilation(true).build();

    @TempDir
    static Path dir;

    @BeforeAll
    static void tools() {
        ExternalTool.assumeInstalled("ffmpeg");
        ExternalTool.assumeInstalled("ffprobe");
    }

    @ParameterizedTest
    @EnumSource(value = TagLayout.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void everyWriterKeepsTheDecodedAudioOfItsTemplate(TagLayout layout) throws Exception {
        Tags tags = layout == TagLayout.RIFF_INFO_ID3V23
                ? TAGS.toBuilder().albumArtist(null).disc(0, 0).compilation(false).build() : TAGS;
        byte[] template = Templates.shared().untagged(layout.format());
        Path untagged = write("untagged-" + layout.name(), layout.format(), template);
        Path tagged = write("tagged-" + layout.name(), layout.format(), Tagger.write(layout, template, tags));
        assertEquals(decodedMd5(untagged), decodedMd5(tagged));
        assertEquals("Kept Audio", Ffprobe.tags(tagged).get("title"));
    }

    @ParameterizedTest
    @EnumSource(value = TagLayout.class, names = {"OGG_VORBIS_COMMENT", "OPUS_TAGS"})
    void oggCommentsLongerThanAPageArePaginatedAndLaterPagesRenumbered(TagLayout layout) throws Exception {
        String title = "長".repeat(70_000);
        byte[] template = Templates.shared().untagged(layout.format());
        byte[] tagged = Tagger.write(layout, template, TAGS.toBuilder().title(title).build());

        List<OggPage> pages = OggPage.parseAll(tagged);
        assertTrue(pages.size() >= OggPage.parseAll(template).size() + 3, "the comment did not span pages");
        for (int i = 0; i < pages.size(); i++) {
            OggPage page = pages.get(i);
            assertEquals(i, page.sequence(), "page sequence");
            byte[] copy = Arrays.copyOfRange(tagged, page.offset(), page.end());
            int stored = (int) ByteSink.u32le(copy, 22);
            Arrays.fill(copy, 22, 26, (byte) 0);
            assertEquals(stored, OggPage.crc(0, copy, 0, copy.length), "CRC of page " + i);
        }
        Path file = write("long-" + layout.name(), layout.format(), tagged);
        assertEquals(title, Ffprobe.tags(file).get("title"));
        assertEquals(decodedMd5(write("template-" + layout.name(), layout.format(), template)), decodedMd5(file));
        String checker = layout == TagLayout.OPUS_TAGS ? "opusinfo" : "ogginfo";
        if (ExternalTool.installed(checker)) {
            ExternalTool.Run run = ExternalTool.run(checker, file.toString());
            assertEquals(0, run.exitCode(), run.output());
            assertTrue(!run.output().toUpperCase().contains("WARNING"), run.output());
        }
    }

    @Test
    void mp4WithMoovFirstGetsItsChunkOffsetsShifted() throws Exception {
        Path plain = write("plain", AudioFormat.M4A, Templates.shared().untagged(AudioFormat.M4A));
        Path faststart = dir.resolve("faststart.m4a");
        ExternalTool.Run remux = ExternalTool.run("ffmpeg", "-nostdin", "-v", "error", "-y", "-i", plain.toString(),
                "-c", "copy", "-movflags", "+faststart", faststart.toString());
        assertEquals(0, remux.exitCode(), remux.output());
        byte[] moovFirst = Files.readAllBytes(faststart);
        assertTrue(indexOf(moovFirst, "moov") < indexOf(moovFirst, "mdat"), "ffmpeg did not move moov first");

        Path tagged = write("faststart-tagged", AudioFormat.M4A, Tagger.write(TagLayout.MP4_ILST, moovFirst, TAGS));
        assertEquals(decodedMd5(faststart), decodedMd5(tagged));
        assertEquals("Writers", Ffprobe.tags(tagged).get("album_artist"));
    }

    @Test
    void flacKeepsStreamInfoFirstAndFlagsOnlyTheLastBlock() throws Exception {
        byte[] flac = Tagger.write(TagLayout.FLAC_VORBIS_COMMENT, Templates.shared().untagged(AudioFormat.FLAC), TAGS);
        List<Integer> types = new ArrayList<>();
        List<Boolean> lastFlags = new ArrayList<>();
        int offset = 4;
        boolean last = false;
        while (!last) {
            last = (flac[offset] & 0x80) != 0;
            types.add(flac[offset] & 0x7f);
            lastFlags.add(last);
            offset += 4 + ByteSink.u24be(flac, offset + 1);
        }
        assertEquals(0, types.get(0), "STREAMINFO first");
        assertEquals(1, types.stream().filter(t -> t == 4).count(), "one VORBIS_COMMENT");
        assertEquals(1, lastFlags.stream().filter(b -> b).count());
        ExternalTool.assumeInstalled("flac");
        Path file = write("blocks", AudioFormat.FLAC, flac);
        assertEquals(0, ExternalTool.run("flac", "-t", "-s", "-w", file.toString()).exitCode());
    }

    @Test
    void id3v1IsA128ByteTailWithTrackAndGenreIndex() {
        byte[] tag = Id3v1Writer.write(TAGS);
        assertEquals(128, tag.length);
        assertEquals("TAG", new String(tag, 0, 3, StandardCharsets.ISO_8859_1));
        assertEquals("Kept Audio", new String(tag, 3, 10, StandardCharsets.ISO_8859_1));
        assertEquals(0, tag[3 + 10]);
        assertEquals("2001", new String(tag, 93, 4, StandardCharsets.ISO_8859_1));
        assertEquals(0, tag[125]);
        assertEquals(3, tag[126]);
        assertEquals(17, tag[127], "Rock is genre 17");
    }

    @Test
    void id3v2SizesAreSynchsafeBeyondSevenBits() throws Exception {
        String title = "Ünïcödé ".repeat(3_000);
        for (TagLayout layout : List.of(TagLayout.ID3V23, TagLayout.ID3V24)) {
            byte[] mp3 = Tagger.write(layout, Templates.shared().untagged(AudioFormat.MP3),
                    TAGS.toBuilder().title(title).build());
            for (int i = 6; i < 10; i++) {
                assertEquals(0, mp3[i] & 0x80, "synchsafe tag size byte " + i);
            }
            assertEquals(title, Ffprobe.tags(write("long-" + layout, AudioFormat.MP3, mp3)).get("title"));
        }
    }

    @Test
    void largeTracksHaveTheExactSizeAndTheirTagsInTheHead(@TempDir Path origin) throws Exception {
        long size = 3L << 20;
        Corpus corpus = CorpusGenerator.generate(origin,
                CorpusSpec.of(0).withHardCases(false).withLargeTracks(2, size));
        assertEquals(2, corpus.presentOf(Corpus.LARGE_CASE).size());
        for (TruthEntry e : corpus.present()) {
            Path file = origin.resolve(e.sourcePath());
            assertEquals(size, Files.size(file));
            byte[] head = Arrays.copyOf(Files.readAllBytes(file), 4096);
            assertTrue(indexOf(head, "TITLE=" + e.tags().title()) > 0, "title not in the first 4 KiB");
            if (ExternalTool.installed("flac")) {
                ExternalTool.Run run = ExternalTool.run("flac", "-t", "-s", "-w", file.toString());
                assertEquals(0, run.exitCode(), run.output());
            }
        }
        assertEquals("MusicFS Bench/Large Tracks (2024)/01 - Large Track 1.flac",
                corpus.present().get(0).virtualPath());
    }

    private static Path write(String name, AudioFormat format, byte[] bytes) throws Exception {
        Path file = dir.resolve(name + "." + format.extension());
        Files.write(file, bytes);
        return file;
    }

    private static String decodedMd5(Path file) throws Exception {
        ExternalTool.Run run = ExternalTool.run("ffmpeg", "-nostdin", "-v", "error", "-i", file.toString(), "-map",
                "0:a", "-f", "md5", "-");
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().startsWith("MD5="), file + ": " + run.output());
        return run.output().trim();
    }

    private static int indexOf(byte[] bytes, String ascii) {
        byte[] m = ascii.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i + m.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + m.length, m, 0, m.length)) {
                return i;
            }
        }
        return -1;
    }
}
