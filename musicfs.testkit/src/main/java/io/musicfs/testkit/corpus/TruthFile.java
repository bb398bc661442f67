package io.musicfs.testkit.corpus;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The truth as a UTF-8, tab-separated file that shell scripts can read with {@code awk -F'\t'}:
 * lines starting with {@code #} are comments, every other line has the 20 columns of
 * {@link #COLUMNS}, and {@code -} stands for "none" (a value the generator never writes).
 * {@code present} lines describe a file the mount must show; {@code absent} lines give only the
 * case and the source path. No field holds a tab, CR or LF: {@link #write} refuses them.
 */
final class TruthFile {

    static final String MAGIC = "# musicfs corpus truth v1";
    static final List<String> COLUMNS = List.of("status", "case", "source", "virtual", "size", "sha256", "format",
            "tagging", "artist", "albumartist", "album", "title", "track", "tracktotal", "disc", "disctotal", "date",
            "genre", "composer", "compilation");
    private static final String NONE = "-";
    private static final String PRESENT = "present";
    private static final String ABSENT = "absent";

    private TruthFile() {
    }

    static void write(Corpus corpus, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path temp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
        try (BufferedWriter out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
            out.write(MAGIC + "\n");
            out.write("# " + String.join("\t", COLUMNS) + "\n");
            for (TruthEntry e : corpus.present()) {
                out.write(line(presentFields(e)));
            }
            for (AbsentEntry e : corpus.absent()) {
                List<String> fields = new ArrayList<>(List.of(ABSENT, e.caseId(), e.sourcePath()));
                while (fields.size() < COLUMNS.size()) {
                    fields.add(NONE);
                }
                out.write(line(fields));
            }
        }
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static Corpus read(Path file) throws IOException {
        List<TruthEntry> present = new ArrayList<>();
        List<AbsentEntry> absent = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String first = in.readLine();
            if (!MAGIC.equals(first)) {
                throw new IOException(file + ": not a corpus truth file (first line '" + first + "')");
            }
            int lineNumber = 1;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNumber++;
                if (line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                if (f.length != COLUMNS.size()) {
                    throw new IOException(file + ":" + lineNumber + ": " + f.length + " columns, expected "
                            + COLUMNS.size());
                }
                switch (f[0]) {
                    case PRESENT -> present.add(presentEntry(f));
                    case ABSENT -> absent.add(new AbsentEntry(f[1], f[2]));
                    default -> throw new IOException(file + ":" + lineNumber + ": unknown status '" + f[0] + "'");
                }
            }
        }
        return new Corpus(present, absent);
    }

    private static List<String> presentFields(TruthEntry e) {
        List<String> f = new ArrayList<>(List.of(PRESENT, e.caseId(), e.sourcePath(), e.virtualPath(),
                Long.toString(e.size()), e.sha256(), e.format() == null ? NONE : e.format().id(), e.tagLayout().id()));
        Tags t = e.tags();
        if (t == null) {
            while (f.size() < COLUMNS.size()) {
                f.add(NONE);
            }
            return f;
        }
        for (String value : new String[] {t.artist(), t.albumArtist(), t.album(), t.title()}) {
            f.add(text(value));
        }
        for (int number : new int[] {t.track(), t.trackTotal(), t.disc(), t.discTotal()}) {
            f.add(number == 0 ? NONE : Integer.toString(number));
        }
        f.add(text(t.date()));
        f.add(text(t.genre()));
        f.add(text(t.composer()));
        f.add(t.compilation() ? "1" : "0");
        return f;
    }

    private static TruthEntry presentEntry(String[] f) {
        AudioFormat format = NONE.equals(f[6]) ? null : AudioFormat.byId(f[6]);
        TagLayout layout = TagLayout.byId(f[7]);
        Tags tags = layout == TagLayout.NONE ? null : new Tags(value(f[8]), value(f[9]), value(f[10]), value(f[11]),
                number(f[12]), number(f[13]), number(f[14]), number(f[15]), value(f[16]), value(f[17]),
                value(f[18]), "1".equals(f[19]));
        return new TruthEntry(f[1], f[2], f[3], Long.parseLong(f[4]), f[5], format, layout, tags);
    }

    private static String text(String value) {
        if (NONE.equals(value)) {
            throw new IllegalArgumentException("a tag value of '-' cannot be told from none in the truth file");
        }
        return value == null ? NONE : value;
    }

    private static String value(String field) {
        return NONE.equals(field) ? null : field;
    }

    private static int number(String field) {
        return NONE.equals(field) ? 0 : Integer.parseInt(field);
    }

    private static String line(List<String> fields) {
        for (String field : fields) {
            if (field.indexOf('\t') >= 0 || field.indexOf('\n') >= 0 || field.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("truth field holds a tab or line break: " + fields);
            }
        }
        return String.join("\t", fields) + "\n";
    }
}
