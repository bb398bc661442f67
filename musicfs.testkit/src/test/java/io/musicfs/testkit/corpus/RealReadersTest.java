package io.musicfs.testkit.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generated files checked by real, independent readers: ffprobe reads back the tags of every hard
 * case and a sample of bulk tracks of every tag layout; {@code flac -t}, {@code ogginfo} and
 * {@code opusinfo} validate every FLAC, Vorbis and Opus file; ffmpeg decodes every file of a
 * sample without an error.
 */
class RealReadersTest {

    private static final int BULK_SAMPLE_PER_LAYOUT = 4;
    /** ID3v2.3 has only a year frame ({@code TYER}); the other layouts keep the whole date. */
    private static final Set<TagLayout> YEAR_ONLY = EnumSet.of(TagLayout.ID3V23, TagLayout.ID3V23_ID3V1,
            TagLayout.ID3V1, TagLayout.WAV_ID3V23);
    /** ffmpeg reads ID3v1 or RIFF INFO fields only: no album artist, disc, totals, composer or flag. */
    private static final Set<TagLayout> BASIC_FIELDS_ONLY = EnumSet.of(TagLayout.ID3V1, TagLayout.RIFF_INFO_ID3V23);

    @TempDir
    static Path origin;
    static Corpus corpus;

    @BeforeAll
    static void generate() throws Exception {
        ExternalTool.assumeInstalled("ffprobe");
        corpus = CorpusGenerator.generate(origin, CorpusSpec.of(400).withSeed(11));
    }

    @Test
    void ffprobeReadsTheTagsOfEveryHardCaseAndOfBulkTracksOfEveryLayout() throws Exception {
        Map<TagLayout, Integer> bulkChecked = new TreeMap<>();
        Map<TagLayout, Integer> checked = new TreeMap<>();
        List<String> mismatches = new ArrayList<>();
        for (TruthEntry e : corpus.present()) {
            if (e.tags() == null || e.caseId().equals(Corpus.LARGE_CASE)) {
                continue;
            }
            boolean bulk = e.caseId().equals(Corpus.BULK_CASE);
            if (bulk && bulkChecked.merge(e.tagLayout(), 1, Integer::sum) > BULK_SAMPLE_PER_LAYOUT) {
                continue;
            }
            Map<String, String> expected = visible(e.tagLayout(), e.tags());
            Map<String, String> read = logical(Ffprobe.tags(origin.resolve(e.sourcePath())));
            read.keySet().retainAll(fields(e.tagLayout()));
            if (!expected.equals(read)) {
                mismatches.add(e.tagLayout().id() + " " + e.sourcePath() + "\n  expected " + expected + "\n  ffprobe  "
                        + read);
            }
            checked.merge(e.tagLayout(), 1, Integer::sum);
        }
        assertEquals(List.of(), mismatches);
        EnumSet<TagLayout> everyWriter = EnumSet.complementOf(EnumSet.of(TagLayout.NONE));
        assertEquals(everyWriter, EnumSet.copyOf(checked.keySet()), "a tag layout was never checked: " + checked);
        System.out.println("ffprobe checked files per tag layout: " + checked);
    }

    @Test
    void flacTestModePassesOnEveryFlacFile() throws Exception {
        ExternalTool.assumeInstalled("flac");
        List<Path> files = files(AudioFormat.FLAC);
        ExternalTool.Run run = ExternalTool.runOver(List.of("flac", "-t", "-s", "-w"), files);
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(files.size() > 20, "too few FLAC files: " + files.size());
    }

    @Test
    void ogginfoFindsNoErrorOrWarningInVorbisFiles() throws Exception {
        ExternalTool.assumeInstalled("ogginfo");
        for (Path file : files(AudioFormat.OGG_VORBIS)) {
            ExternalTool.Run run = ExternalTool.run("ogginfo", file.toString());
            assertCleanReport(run, file.toString());
        }
    }

    @Test
    void opusinfoFindsNoErrorOrWarningInOpusFiles() throws Exception {
        ExternalTool.assumeInstalled("opusinfo");
        List<Path> files = files(AudioFormat.OPUS);
        ExternalTool.Run run = ExternalTool.runOver(List.of("opusinfo"), files);
        assertCleanReport(run, "opusinfo");
    }

    @Test
    void ffmpegDecodesASampleOfEveryFormatWithoutError() throws Exception {
        ExternalTool.assumeInstalled("ffmpeg");
        for (AudioFormat format : AudioFormat.values()) {
            List<Path> files = files(format);
            for (Path file : files.subList(0, Math.min(6, files.size()))) {
                ExternalTool.Run run = ExternalTool.run("ffmpeg", "-nostdin", "-v", "error", "-i", file.toString(),
                        "-f", "null", "-");
                assertEquals(new ExternalTool.Run(0, ""), run, file.toString());
            }
        }
    }

    private static void assertCleanReport(ExternalTool.Run run, String subject) {
        String upper = run.output().toUpperCase(Locale.ROOT);
        assertEquals(0, run.exitCode(), subject + ": " + run.output());
        assertTrue(!upper.contains("WARNING") && !upper.contains("ERROR"), subject + ": " + run.output());
    }

    private static List<Path> files(AudioFormat format) {
        return corpus.present().stream().filter(e -> e.format() == format && !e.sourcePath().startsWith("Links/"))
                .map(e -> origin.resolve(e.sourcePath())).toList();
    }

    /** The fields ffprobe can see in {@code layout}. */
    private static Set<String> fields(TagLayout layout) {
        return BASIC_FIELDS_ONLY.contains(layout) ? Set.of("artist", "album", "title", "track", "date", "genre")
                : Set.of("artist", "albumartist", "album", "title", "track", "tracktotal", "disc", "disctotal", "date",
                        "genre", "composer", "compilation");
    }

    /** What ffprobe must show of {@code tags} written in {@code layout}. */
    private static Map<String, String> visible(TagLayout layout, Tags t) {
        Map<String, String> m = new LinkedHashMap<>();
        put(m, "artist", t.artist());
        put(m, "albumartist", t.albumArtist());
        put(m, "album", t.album());
        put(m, "title", t.title());
        put(m, "track", t.track() == 0 ? null : Integer.toString(t.track()));
        put(m, "tracktotal", t.trackTotal() == 0 || t.track() == 0 ? null : Integer.toString(t.trackTotal()));
        put(m, "disc", t.disc() == 0 ? null : Integer.toString(t.disc()));
        put(m, "disctotal", t.discTotal() == 0 || t.disc() == 0 ? null : Integer.toString(t.discTotal()));
        put(m, "date", YEAR_ONLY.contains(layout) ? t.year() : t.date());
        put(m, "genre", t.genre());
        put(m, "composer", t.composer());
        put(m, "compilation", t.compilation() ? "1" : null);
        m.keySet().retainAll(fields(layout));
        return m;
    }

    /** ffprobe's keys and {@code 3/12} values mapped onto the truth's fields. */
    private static Map<String, String> logical(Map<String, String> ff) {
        Map<String, String> m = new LinkedHashMap<>();
        put(m, "artist", ff.get("artist"));
        put(m, "albumartist", ff.getOrDefault("album_artist", ff.get("albumartist")));
        put(m, "album", ff.get("album"));
        put(m, "title", ff.get("title"));
        numberOfTotal(m, "track", "tracktotal", ff.get("track"), ff.getOrDefault("tracktotal", ff.get("totaltracks")));
        numberOfTotal(m, "disc", "disctotal", ff.get("disc"), ff.getOrDefault("disctotal", ff.get("totaldiscs")));
        put(m, "date", ff.getOrDefault("date", ff.get("year")));
        put(m, "genre", ff.get("genre"));
        put(m, "composer", ff.get("composer"));
        put(m, "compilation", ff.get("compilation"));
        return m;
    }

    private static void numberOfTotal(Map<String, String> m, String numberKey, String totalKey, String value,
                                      String separateTotal) {
        if (value == null) {
            return;
        }
        String[] parts = value.split("/", 2);
        put(m, numberKey, Integer.toString(Integer.parseInt(parts[0].trim())));
        String total = parts.length == 2 ? parts[1] : separateTotal;
        if (total != null && Integer.parseInt(total.trim()) > 0) {
            put(m, totalKey, Integer.toString(Integer.parseInt(total.trim())));
        }
    }

    private static void put(Map<String, String> m, String key, String value) {
        if (value != null) {
            m.put(key, value);
        }
    }
}
