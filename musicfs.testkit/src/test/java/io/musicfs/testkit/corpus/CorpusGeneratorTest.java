package io.musicfs.testkit.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A 2,000-track corpus with hard cases: its truth against the files on disk and against the naming rules. */
class CorpusGeneratorTest {

    private static final int TRACKS = 2_000;
    private static final Set<String> LISTED_EXTENSIONS = Set.of("flac", "mp3", "ogg", "oga", "opus", "m4a", "m4b",
            "mp4", "wav", "aif", "aiff", "aifc");

    @TempDir
    static Path temp;
    static Path origin;
    static Corpus corpus;

    @BeforeAll
    static void generate() throws IOException {
        // Builds or loads the templates and warms the JIT, so the time printed is the generation's.
        CorpusGenerator.generate(temp.resolve("warm-up"), CorpusSpec.of(100));
        origin = temp.resolve("library");
        long start = System.nanoTime();
        corpus = CorpusGenerator.generate(origin, CorpusSpec.of(TRACKS));
        System.out.printf("generated %d bulk tracks with hard cases (%d present, %d absent paths) in %d ms%n", TRACKS,
                corpus.present().size(), corpus.absent().size(), (System.nanoTime() - start) / 1_000_000);
    }

    @Test
    void everyPresentFileHasTheSizeAndHashOfTheTruth() throws Exception {
        for (TruthEntry e : corpus.present()) {
            byte[] bytes = Files.readAllBytes(origin.resolve(e.sourcePath()));
            assertEquals(e.size(), bytes.length, e.sourcePath());
            assertEquals(e.sha256(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)),
                    e.sourcePath());
        }
    }

    @Test
    void presentPathsAreExactlyTheListableFilesAndAbsentOnesAreNotAmongThem() throws IOException {
        Set<String> listable = listable(origin);
        Set<String> present = corpus.present().stream().map(TruthEntry::sourcePath)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(present, listable);
        for (String absent : corpus.absentSourcePaths()) {
            assertFalse(listable.contains(absent), absent);
        }
        assertEquals(corpus.present().size(), present.size(), "one source path twice in the truth");
    }

    @Test
    void everyHardCaseIsInTheTruth() {
        Set<String> cases = new HashSet<>();
        corpus.present().forEach(e -> cases.add(e.caseId()));
        corpus.absent().forEach(e -> cases.add(e.caseId()));
        for (HardCase hardCase : HardCase.values()) {
            assertTrue(cases.contains(hardCase.id()), hardCase.id());
        }
        assertEquals(TRACKS, corpus.presentOf(Corpus.BULK_CASE).size());
    }

    @Test
    void hardCasesAreWhereTheNamingRulesPutThem() throws IOException {
        Map<String, TruthEntry> byVirtual = corpus.present().stream()
                .collect(Collectors.toMap(TruthEntry::virtualPath, Function.identity()));
        assertEquals("Hard Cases/Duplicates/Echo Chamber - Reflections/05 Intro (alt).flac",
                byVirtual.get("Echo Chamber/Reflections (2003)/05 - Intro.flac").sourcePath());
        assertEquals("Hard Cases/Duplicates/Echo Chamber - Reflections/05 Intro (remaster).flac",
                byVirtual.get("Echo Chamber/Reflections (2003)/05 - Intro (2).flac").sourcePath());
        assertEquals("Hard Cases/Duplicates/Echo Chamber - Reflections/05 Intro.flac",
                byVirtual.get("Echo Chamber/Reflections (2003)/05 - Intro (3).flac").sourcePath());
        assertEquals("Links/favourite song.ogg",
                byVirtual.get("Link Band/Link Album (2015)/01 - Linked Song (2).ogg").sourcePath());
        assertEquals("Links/Album Link/02 Two.mp3",
                byVirtual.get("Folder Link/Linked Album (2016)/02 - Two (2).mp3").sourcePath());
        assertEquals(5, corpus.presentOf(HardCase.ARTIST_CASE_VARIANTS.id()).stream()
                .filter(e -> e.virtualPath().startsWith("The Beatles/Abbey Road (1969)/")).count());
        assertEquals("Compilations/Now 1 (1983)/03 - Culture Club - Karma Chameleon.mp3",
                virtualOf("Hard Cases/Compilations/Now 1/03 karma chameleon.mp3"));
        assertEquals("Disc Band/Double Live (1994)/2-01 - Encore.m4a",
                virtualOf("Hard Cases/Multi Disc/Double Live/CD2/01 encore.m4a"));
        assertEquals("Unknown Artist/Unknown Album/random.mp3", virtualOf("Hard Cases/Broken/random.mp3"));
        assertEquals("Loud Band/Caps (2010)/01 - Loud.flac", virtualOf("Hard Cases/Extensions/LOUD.FLAC"));
        assertEquals(origin.toRealPath(), origin.resolve("Links/Loop").toRealPath(), "the loop link leads to the root");
        assertTrue(corpus.absentSourcePaths().containsAll(List.of("Hard Cases/Hidden/.hidden.flac",
                "Hard Cases/Non Audio/cover.jpg", "Hard Cases/Non Audio/notes.txt", "Links/broken.flac")));
    }

    @Test
    void longNamesAreCutTo255BytesBetweenCharactersKeepingTheExtension() {
        List<TruthEntry> longNames = corpus.presentOf(HardCase.LONG_NAMES.id());
        assertEquals(3, longNames.size());
        for (TruthEntry e : longNames) {
            int longest = 0;
            for (String name : e.virtualPath().split("/")) {
                longest = Math.max(longest, name.getBytes(StandardCharsets.UTF_8).length);
                assertFalse(name.contains("\uFFFD"), name);
            }
            assertTrue(longest <= 255 && longest > 240, e.virtualPath() + ": longest name " + longest + " bytes");
        }
        String emoji = virtualOf("Hard Cases/Long Names/02 long emoji.mp3");
        assertEquals("02 - " + "🎵".repeat(61) + ".mp3", emoji.substring(emoji.lastIndexOf('/') + 1));
    }

    @Test
    void bulkIsAMessyMixOfFormatsWritersAlbumKindsAndFolderSchemes() {
        List<TruthEntry> bulk = corpus.presentOf(Corpus.BULK_CASE);
        assertEquals(EnumSet.allOf(AudioFormat.class), bulk.stream().map(TruthEntry::format)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(AudioFormat.class))));
        assertEquals(EnumSet.complementOf(EnumSet.of(TagLayout.NONE, TagLayout.ID3V1,
                        TagLayout.FLAC_VORBIS_COMMENT_SLASHED)),
                bulk.stream().map(TruthEntry::tagLayout)
                        .collect(Collectors.toCollection(() -> EnumSet.noneOf(TagLayout.class))));
        assertTrue(bulk.stream().anyMatch(e -> e.tags().discTotal() == 2), "no multi-disc album");
        assertTrue(bulk.stream().anyMatch(e -> e.tags().compilation()), "no flagged compilation");
        assertTrue(bulk.stream().anyMatch(e -> !e.tags().compilation() && e.virtualPath().startsWith("Compilations/")),
                "no Various Artists album without the flag");
        assertTrue(bulk.stream().anyMatch(e -> e.sourcePath().startsWith("Unsorted/")), "no flat folder");
        assertTrue(bulk.stream().anyMatch(e -> e.sourcePath().startsWith("VA - ")), "no VA folder");
        Set<String> albums = bulk.stream().map(e -> e.virtualPath().substring(0, e.virtualPath().lastIndexOf('/')))
                .collect(Collectors.toSet());
        assertTrue(albums.size() > TRACKS / 15 && albums.size() < TRACKS / 8, albums.size() + " albums");
        assertTrue(corpus.absent().stream().anyMatch(a -> a.caseId().equals(Corpus.BULK_CASE)
                && a.sourcePath().endsWith("/cover.jpg")), "no cover next to bulk albums");
    }

    @Test
    void truthFileRoundTripsAndHasTwentyColumnsPerLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("truth.tsv");
        corpus.write(file);
        assertEquals(corpus, Corpus.read(file));
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.startsWith("#")) {
                assertEquals(20, line.split("\t", -1).length, line);
            }
        }
    }

    @Test
    void anOriginThatIsNotEmptyIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> CorpusGenerator.generate(origin, CorpusSpec.of(1)));
    }

    private static String virtualOf(String sourcePath) {
        return corpus.present().stream().filter(e -> e.sourcePath().equals(sourcePath)).findFirst()
                .orElseThrow(() -> new AssertionError("not in the truth: " + sourcePath)).virtualPath();
    }

    /**
     * The origin paths a scanner following docs/paths.md lists: files with an audio extension (any
     * case), through symbolic links, skipping names that start with a dot, broken links and loops.
     */
    private static Set<String> listable(Path root) throws IOException {
        Set<String> found = new TreeSet<>();
        Files.walkFileTree(root, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                        return !dir.equals(root) && dir.getFileName().toString().startsWith(".")
                                ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        String name = file.getFileName().toString();
                        int dot = name.lastIndexOf('.');
                        boolean broken = attrs.isSymbolicLink() && !Files.exists(file);
                        if (!broken && !name.startsWith(".") && dot > 0
                                && LISTED_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT))) {
                            found.add(root.relativize(file).toString());
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                        if (e instanceof FileSystemLoopException) {
                            return FileVisitResult.CONTINUE;
                        }
                        throw e;
                    }
                });
        return found;
    }
}
