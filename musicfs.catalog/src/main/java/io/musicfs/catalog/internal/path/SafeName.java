package io.musicfs.catalog.internal.path;

import java.text.Normalizer;
import java.util.Locale;

/**
 * The "Safe names" rules of {@code docs/paths.md}: what a tag value may put into a name, how a
 * name is cleaned, and how it is cut to {@value #MAX_BYTES} bytes of UTF-8 without losing its
 * extension. Stateless; safe to use from any thread.
 */
public final class SafeName {

    /** Longest name in bytes of UTF-8: NAME_MAX of Linux file systems and of the FUSE protocol. */
    public static final int MAX_BYTES = 255;

    /** Characters that would make a folder ({@code /}) or are refused by SMB clients. */
    private static final String FORBIDDEN = "/\\:*?\"<>|";
    /** What a name that cleaning leaves empty, or a forbidden character, becomes. */
    private static final char PLACEHOLDER = '_';
    /** Below this every character is already in NFC: canonical composition starts with U+0300. */
    private static final char FIRST_COMBINING = '\u0300';

    private SafeName() {
    }

    /**
     * Cleans a tag value (or any text the pattern inserts) so it can only be part of one name:
     * NFC form, control characters removed, forbidden characters and unpaired surrogates replaced
     * by {@code _}. Spaces are kept: {@code " - "} in a pattern means what it says.
     *
     * @return the cleaned text, the same instance when nothing had to change
     */
    static String characters(String text) {
        String s = text;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= FIRST_COMBINING) {
                // NFC so that "Björk" typed on macOS (decomposed) and elsewhere is one name
                s = Normalizer.normalize(s, Normalizer.Form.NFC);
                break;
            }
        }
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1));
            boolean drop = c < 0x20 || c == 0x7f;
            boolean replace = FORBIDDEN.indexOf(c) >= 0 || (Character.isSurrogate(c) && !pair);
            if (out == null && (drop || replace)) {
                out = new StringBuilder(s.length()).append(s, 0, i);
            }
            if (out != null && !drop) {
                out.append(replace ? PLACEHOLDER : c);
                if (pair) {
                    out.append(s.charAt(i + 1));
                }
            }
            if (pair) {
                i++;
            }
        }
        return out == null ? s : out.toString();
    }

    /** @return the value cleaned by {@link #characters} and stripped of outer whitespace; empty when nothing is left */
    static String value(String raw) {
        return raw == null ? "" : characters(raw).strip();
    }

    /**
     * Cleans one name (a folder or a file name): outer spaces and trailing dots removed, a leading
     * dot made {@code _}, an empty name made {@code _}, and a name over {@value #MAX_BYTES} bytes
     * cut on a code point boundary, keeping {@code "." + extension} at its end when it has it.
     *
     * @param extension the original file's extension (compared ignoring case), or {@code ""} for a folder
     */
    static String name(String raw, String extension) {
        String name = trimEnds(raw);
        if (utf8Length(name) > MAX_BYTES) {
            int tail = extensionStart(name, extension);
            int tailBytes = utf8Length(name.substring(tail));
            name = tailBytes < MAX_BYTES
                    ? trimEnds(cut(name.substring(0, tail), MAX_BYTES - tailBytes)) + name.substring(tail)
                    : trimEnds(cut(name, MAX_BYTES));
        }
        if (name.isEmpty() || name.charAt(0) == '.') {
            // an empty stem before a kept extension lands here too, as ".flac"
            name = PLACEHOLDER + (name.isEmpty() ? "" : name.substring(1));
        }
        return name;
    }

    /**
     * Puts a collision suffix such as {@code " (2)"} before the extension of a clean name, cutting
     * the stem so the result still fits in {@value #MAX_BYTES} bytes.
     *
     * @param extension the original file's extension (compared ignoring case)
     */
    public static String withSuffix(String name, String extension, String suffix) {
        int tail = extensionStart(name, extension);
        String end = suffix + name.substring(tail);
        String stem = name.substring(0, tail);
        int room = MAX_BYTES - utf8Length(end);
        if (utf8Length(stem) > room) {
            stem = trimEnds(cut(stem, room));
        }
        return stem + end;
    }

    /**
     * @param file a file name or a relative path
     * @return the extension of the file's name, lower case, without the dot; {@code ""} when it has none
     */
    public static String extensionOf(String file) {
        int dot = file.lastIndexOf('.');
        // a leading dot starts a hidden name, not an extension
        return dot > file.lastIndexOf('/') + 1 ? file.substring(dot + 1).toLowerCase(Locale.ROOT) : "";
    }

    /** @return the number of bytes of the name in UTF-8 */
    static int utf8Length(String s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** @return where {@code "." + extension} starts at the end of the name, or its length when it does not end so */
    private static int extensionStart(String name, String extension) {
        int dot = name.length() - extension.length() - 1;
        boolean hasIt = !extension.isEmpty() && dot > 0 && name.charAt(dot) == '.'
                && name.regionMatches(true, dot + 1, extension, 0, extension.length());
        return hasIt ? dot : name.length();
    }

    /** @return the longest prefix of {@code s} that fits in {@code maxBytes}, never splitting a surrogate pair */
    private static String cut(String s, int maxBytes) {
        int bytes = 0;
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + size > maxBytes) {
                break;
            }
            bytes += size;
            i += Character.charCount(cp);
        }
        return s.substring(0, i);
    }

    /** Removes outer whitespace and trailing dots (Windows and SMB drop them, so names would not round-trip). */
    private static String trimEnds(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && Character.isWhitespace(s.charAt(start))) {
            start++;
        }
        while (end > start && (s.charAt(end - 1) == '.' || Character.isWhitespace(s.charAt(end - 1)))) {
            end--;
        }
        return s.substring(start, end);
    }
}
