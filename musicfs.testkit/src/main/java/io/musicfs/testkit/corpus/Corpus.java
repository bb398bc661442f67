package io.musicfs.testkit.corpus;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The truth about one generated library: every path the mount must show, with the origin file
 * behind it, and every origin path the mount must not list. Immutable.
 *
 * <p>A file reachable through several origin paths (a symbolic link to it or to a folder above it)
 * has one entry per path, each named by its tags; identical names then get {@code (2)} in the order
 * of {@code docs/paths.md} (origin priority, origin id, relative path), so the truth assumes the
 * corpus is one origin.
 */
public final class Corpus {

    /** The case of the bulk tracks (and of the covers next to them) in {@link TruthEntry#caseId()}. */
    public static final String BULK_CASE = "bulk";
    /** The case of the large tracks of {@link CorpusSpec#largeTracks()}. */
    public static final String LARGE_CASE = "large";

    private final List<TruthEntry> present;
    private final List<AbsentEntry> absent;

    Corpus(List<TruthEntry> present, List<AbsentEntry> absent) {
        this.present = List.copyOf(present);
        this.absent = List.copyOf(absent);
    }

    /** @return every file the mount must show, sorted by virtual path */
    public List<TruthEntry> present() {
        return present;
    }

    /** @return the present files of one case ({@code bulk}, {@code large} or a {@link HardCase#id()}) */
    public List<TruthEntry> presentOf(String caseId) {
        return present.stream().filter(e -> e.caseId().equals(caseId)).toList();
    }

    /** @return every origin path the mount must not list, with the case it illustrates */
    public List<AbsentEntry> absent() {
        return absent;
    }

    /** @return the origin paths of {@link #absent()} */
    public List<String> absentSourcePaths() {
        return absent.stream().map(AbsentEntry::sourcePath).toList();
    }

    /**
     * Writes the truth as a UTF-8 TSV file, replacing {@code truthFile}. After a {@code #} magic line
     * and a {@code #} column line, each line has 20 tab-separated columns, {@code -} meaning none:
     * {@code status} ({@code present} or {@code absent}), {@code case}, {@code source}, {@code virtual},
     * {@code size}, {@code sha256}, {@code format}, {@code tagging}, then the tags {@code artist},
     * {@code albumartist}, {@code album}, {@code title}, {@code track}, {@code tracktotal},
     * {@code disc}, {@code disctotal}, {@code date}, {@code genre}, {@code composer},
     * {@code compilation} ({@code 1}/{@code 0}). Absent lines fill only status, case and source.
     */
    public void write(Path truthFile) throws IOException {
        TruthFile.write(this, truthFile);
    }

    /** @return the truth written by {@link #write(Path)} */
    public static Corpus read(Path truthFile) throws IOException {
        return TruthFile.read(truthFile);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Corpus that && present.equals(that.present) && absent.equals(that.absent);
    }

    @Override
    public int hashCode() {
        return present.hashCode() * 31 + absent.hashCode();
    }

    @Override
    public String toString() {
        return "Corpus[" + present.size() + " present, " + absent.size() + " absent]";
    }
}
