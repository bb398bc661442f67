package io.musicfs.testkit.corpus;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules of {@code docs/paths.md} the truth needs, written out on their own (the test kit never
 * calls product code): the default and compilation patterns for plain tags, the 255-byte cut, and a
 * check that a whole truth obeys the rules it must (clean names, one spelling per folder, no two
 * paths equal ignoring case). Hard cases spell their expected paths out literally; only bulk tracks,
 * whose tags are plain, are formatted here.
 */
final class ExpectedPaths {

    /** Where files without a title go: {@code path.untagged}. */
    static final String UNTAGGED_FOLDER = "Unknown Artist/Unknown Album/";
    static final int MAX_NAME_BYTES = 255;
    /** Values no cleaning rule changes: ASCII letters and digits with inner spaces and harmless punctuation. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9 '&,()!+-]*[A-Za-z0-9)!])?");
    private static final Pattern UNCLEAN = Pattern.compile("[/\\\\:*?\"<>|\\x00-\\x1f\\x7f]");

    /** The order of relative paths that decides which of two colliding files keeps the plain name. */
    static final Comparator<String> CODE_POINT_ORDER =
            (a, b) -> Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());

    private ExpectedPaths() {
    }

    /**
     * @return the path of a track under the default patterns: {@code path.compilation} when the
     *         compilation flag is set or the album artist is {@code Various Artists} (any case),
     *         {@code path.default} otherwise
     * @throws IllegalArgumentException when a value the path uses is not plain (a hard case must
     *         spell its path out instead)
     */
    static String forPlainTags(Tags tags, String extension) {
        if (tags.title() == null) {
            throw new IllegalArgumentException("a track without a title is named by the untagged pattern");
        }
        boolean compilation = tags.compilation() || "Various Artists".equalsIgnoreCase(tags.albumArtist());
        String top = compilation ? "Compilations"
                : plain(tags.albumArtist() != null ? tags.albumArtist()
                        : tags.artist() != null ? tags.artist() : "Unknown Artist");
        String album = plain(tags.album() != null ? tags.album() : "Unknown Album")
                + (tags.year() == null ? "" : " (" + tags.year() + ")");
        StringBuilder name = new StringBuilder();
        if (tags.disc() > 0 && (tags.discTotal() > 1 || tags.disc() > 1)) {
            name.append(tags.disc()).append('-');
        }
        if (tags.track() > 0) {
            name.append(String.format(Locale.ROOT, "%02d - ", tags.track()));
        }
        if (compilation && tags.artist() != null) {
            name.append(plain(tags.artist())).append(" - ");
        }
        name.append(plain(tags.title())).append('.').append(extension);
        return top + "/" + album + "/" + name;
    }

    /** @return {@code stem + "." + extension}, the stem cut on a code point so that the name fits 255 bytes */
    static String fileName(String stem, String extension) {
        return cut(stem, MAX_NAME_BYTES - 1 - utf8Length(extension)) + "." + extension;
    }

    /** @return the longest prefix of {@code name} within {@code maxBytes} UTF-8 bytes that ends between code points */
    static String cut(String name, int maxBytes) {
        int bytes = 0;
        int i = 0;
        while (i < name.length()) {
            int codePoint = name.codePointAt(i);
            int length = utf8Length(new String(Character.toChars(codePoint)));
            if (bytes + length > maxBytes) {
                break;
            }
            bytes += length;
            i += Character.charCount(codePoint);
        }
        return name.substring(0, i);
    }

    /**
     * @return the expected path of each of {@code sourcePaths}, files whose tags all give
     *         {@code folder/stem.extension} on one origin: the first by relative path (compared by
     *         code points) keeps the name, the others get {@code (2)}, {@code (3)}, ... before the
     *         extension
     */
    static Map<String, String> collided(List<String> sourcePaths, String folder, String stem, String extension) {
        List<String> ordered = new ArrayList<>(sourcePaths);
        ordered.sort(CODE_POINT_ORDER);
        Map<String, String> paths = new LinkedHashMap<>();
        for (int i = 0; i < ordered.size(); i++) {
            paths.put(ordered.get(i), folder + "/" + stem + (i == 0 ? "" : " (" + (i + 1) + ")") + "." + extension);
        }
        return paths;
    }

    static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /**
     * @throws IllegalStateException when the expected paths break a rule the mount keeps: a name that
     *         cleaning would change, two spellings of one folder, or two paths equal ignoring case.
     *         That is a bug in the generator's expectations, not in a product.
     */
    static void checkConsistent(Collection<String> virtualPaths) {
        Map<String, String> spellings = new HashMap<>();
        Set<String> files = new HashSet<>();
        for (String path : virtualPaths) {
            if (!files.add(path.toLowerCase(Locale.ROOT))) {
                throw new IllegalStateException("the truth holds '" + path + "' twice (ignoring case)");
            }
            String[] names = path.split("/", -1);
            StringBuilder prefix = new StringBuilder();
            for (String name : names) {
                checkName(path, name);
                prefix.append(prefix.length() == 0 ? "" : "/").append(name);
                String spelling = prefix.toString();
                String previous = spellings.putIfAbsent(spelling.toLowerCase(Locale.ROOT), spelling);
                if (previous != null && !previous.equals(spelling)) {
                    throw new IllegalStateException("two spellings of one name in the truth: '" + previous
                            + "' and '" + spelling + "'");
                }
            }
        }
    }

    private static void checkName(String path, String name) {
        if (name.isEmpty() || name.startsWith(".") || name.startsWith(" ") || name.endsWith(" ")
                || name.endsWith(".") || UNCLEAN.matcher(name).find() || utf8Length(name) > MAX_NAME_BYTES) {
            throw new IllegalStateException("name '" + name + "' in expected path '" + path
                    + "' is not what the mount's cleaning makes");
        }
    }

    private static String plain(String value) {
        if (!PLAIN.matcher(value).matches()) {
            throw new IllegalArgumentException("not a plain tag value: '" + value + "'");
        }
        return value;
    }
}
