package io.musicfs.testkit.corpus;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The files, links and expectations of one corpus, planned before anything is written, and the
 * writing of them. Planning is single-threaded and records each file's content as a recipe;
 * {@link #write(Path)} makes the files in parallel, hashes them as they are written, creates the
 * links, and returns the truth after checking it is consistent.
 */
final class CorpusPlan {

    private static final int WRITE_BUFFER = 1 << 16;

    private final Set<AudioFormat> formats;
    private final Templates templates;
    private final List<PlannedFile> files = new ArrayList<>();
    private final List<Alias> aliases = new ArrayList<>();
    private final List<Link> links = new ArrayList<>();
    private final List<AbsentEntry> absentWithoutFile = new ArrayList<>();
    private final Set<String> sourcePaths = new HashSet<>();

    CorpusPlan(Set<AudioFormat> formats, Templates templates) {
        this.formats = formats;
        this.templates = templates;
    }

    /** The bytes of one planned file, produced when it is written. */
    @FunctionalInterface
    interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    boolean allows(AudioFormat format) {
        return formats.contains(format);
    }

    /** @return {@code preferred} if the spec allows its format, else the default layout of the first allowed format */
    TagLayout layout(TagLayout preferred) {
        return allows(preferred.format()) ? preferred : TagLayout.defaultFor(formats.iterator().next());
    }

    /** @return the tagged bytes of a track, for recipes that derive other files from them */
    byte[] tagged(TagLayout layout, Tags tags) throws IOException {
        return Tagger.write(layout, templates.untagged(layout.format()), tags);
    }

    /** A tagged track the mount must show at {@code virtualPath}. */
    void track(String caseId, String sourcePath, TagLayout layout, Tags tags, String virtualPath) {
        add(new PlannedFile(caseId, sourcePath, out -> out.write(tagged(layout, tags)), virtualPath, layout.format(),
                layout, tags));
    }

    /** An untagged copy of a template, shown under the untagged pattern at {@code virtualPath}. */
    void untagged(String caseId, String sourcePath, AudioFormat format, String virtualPath) {
        add(new PlannedFile(caseId, sourcePath, out -> out.write(templates.untagged(format)), virtualPath, format,
                TagLayout.NONE, null));
    }

    /** A file with an audio extension whose tags no reader can get: shown under the untagged pattern. */
    void unreadable(String caseId, String sourcePath, Content content, String virtualPath) {
        add(new PlannedFile(caseId, sourcePath, content, virtualPath, null, TagLayout.NONE, null));
    }

    /** A large FLAC track of exactly {@code bytes} bytes, streamed from a noise template. */
    void largeTrack(String caseId, String sourcePath, Tags tags, long bytes, int index, String virtualPath) {
        List<String> fields = VorbisComment.fields(tags, false);
        add(new PlannedFile(caseId, sourcePath,
                out -> FlacTagWriter.writePadded(templates.largeFlac(bytes, index), fields, bytes, out),
                virtualPath, AudioFormat.FLAC, TagLayout.FLAC_VORBIS_COMMENT, tags));
    }

    /** A file the mount must not list (hidden, in a hidden folder, or not audio). */
    void absentFile(String caseId, String sourcePath, Content content) {
        add(new PlannedFile(caseId, sourcePath, content, null, null, TagLayout.NONE, null));
    }

    /** An origin path with no file of its own that the mount must not list (a broken link, a path through a loop). */
    void absent(String caseId, String sourcePath) {
        absentWithoutFile.add(new AbsentEntry(caseId, sourcePath));
    }

    /** A symbolic link at {@code linkPath} whose target is {@code target}, relative to the link's folder. */
    void symlink(String linkPath, String target) {
        claim(linkPath);
        links.add(new Link(linkPath, target));
    }

    /**
     * A path through a symbolic link ({@code sourcePath}) to the planned file {@code targetSourcePath}:
     * the mount shows it again, at {@code virtualPath}, with the target's bytes and tags.
     */
    void alias(String caseId, String sourcePath, String targetSourcePath, String virtualPath) {
        aliases.add(new Alias(caseId, sourcePath, targetSourcePath, virtualPath));
    }

    /** Makes every planned file and link under {@code origin} (absent or empty) and returns the truth. */
    Corpus write(Path origin) throws IOException {
        if (Files.exists(origin)) {
            try (Stream<Path> existing = Files.list(origin)) {
                if (existing.findAny().isPresent()) {
                    throw new IllegalArgumentException("corpus origin " + origin + " is not empty");
                }
            }
        }
        Set<Path> folders = new TreeSet<>();
        files.forEach(f -> folders.add(origin.resolve(f.sourcePath).getParent()));
        links.forEach(l -> folders.add(origin.resolve(l.path).getParent()));
        for (Path folder : folders) {
            Files.createDirectories(folder);
        }
        List<Written> written = writeAll(origin);
        for (Link link : links) {
            Files.createSymbolicLink(origin.resolve(link.path), Paths.get(link.target));
        }

        List<TruthEntry> present = new ArrayList<>();
        List<AbsentEntry> absent = new ArrayList<>(absentWithoutFile);
        Map<String, TruthEntry> bySource = new HashMap<>();
        for (int i = 0; i < files.size(); i++) {
            PlannedFile f = files.get(i);
            if (f.virtualPath == null) {
                absent.add(new AbsentEntry(f.caseId, f.sourcePath));
                continue;
            }
            TruthEntry entry = new TruthEntry(f.caseId, f.sourcePath, f.virtualPath, written.get(i).size,
                    written.get(i).sha256, f.format, f.layout, f.tags);
            present.add(entry);
            bySource.put(f.sourcePath, entry);
        }
        for (Alias alias : aliases) {
            TruthEntry target = bySource.get(alias.targetSourcePath);
            if (target == null) {
                throw new IllegalStateException("alias " + alias.sourcePath + " names no planned file: "
                        + alias.targetSourcePath);
            }
            present.add(new TruthEntry(alias.caseId, alias.sourcePath, alias.virtualPath, target.size(),
                    target.sha256(), target.format(), target.tagLayout(), target.tags()));
        }
        present.sort(Comparator.comparing(TruthEntry::virtualPath).thenComparing(TruthEntry::sourcePath));
        absent.sort(Comparator.comparing(AbsentEntry::sourcePath));
        ExpectedPaths.checkConsistent(present.stream().map(TruthEntry::virtualPath).toList());
        return new Corpus(present, absent);
    }

    private List<Written> writeAll(Path origin) throws IOException {
        try {
            return IntStream.range(0, files.size()).parallel()
                    .mapToObj(i -> write(origin.resolve(files.get(i).sourcePath), files.get(i).content)).toList();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static Written write(Path file, Content content) {
        MessageDigest sha256 = sha256();
        try (OutputStream out = new DigestOutputStream(
                new BufferedOutputStream(Files.newOutputStream(file), WRITE_BUFFER), sha256)) {
            content.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException("corpus: writing " + file + " failed", e);
        }
        try {
            return new Written(Files.size(file), HexFormat.of().formatHex(sha256.digest()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
    }

    private void add(PlannedFile file) {
        claim(file.sourcePath);
        files.add(file);
    }

    private void claim(String sourcePath) {
        if (sourcePath.startsWith("/") || sourcePath.endsWith("/") || sourcePath.contains("//")
                || ("/" + sourcePath + "/").contains("/../")) {
            throw new IllegalArgumentException("not a clean relative path: " + sourcePath);
        }
        if (!sourcePaths.add(sourcePath)) {
            throw new IllegalStateException("corpus plans two files at " + sourcePath);
        }
    }

    private record PlannedFile(String caseId, String sourcePath, Content content, String virtualPath,
                               AudioFormat format, TagLayout layout, Tags tags) {
    }

    private record Alias(String caseId, String sourcePath, String targetSourcePath, String virtualPath) {
    }

    private record Link(String path, String target) {
    }

    private record Written(long size, String sha256) {
    }
}
