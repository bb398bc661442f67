package io.musicfs.catalog.internal.path;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses the template language of {@code docs/paths.md} into {@link Part}s, rejecting a bad
 * template with an {@link IllegalArgumentException} that names the position (counting from 1)
 * and the problem. One instance parses one template on one thread.
 */
final class PatternParser {

    /** Characters that a backslash makes literal. */
    private static final String ESCAPABLE = "{}[]|'";
    /** Widest {@code {field:N}}: more zeros than any track or disc number needs. */
    private static final int MAX_WIDTH = 9;

    private final String template;
    private int pos;
    /** Index of the last folder separator outside any section, to refuse empty folder names. */
    private int lastSeparator = -1;

    private PatternParser(String template) {
        this.template = template;
    }

    static List<Part> parse(String template) {
        if (template.isBlank()) {
            throw new IllegalArgumentException("path pattern is empty");
        }
        PatternParser parser = new PatternParser(template);
        List<Part> parts = parser.sequence(-1);
        if (parser.lastSeparator == template.length() - 1) {
            throw parser.error(parser.lastSeparator, "the pattern ends with '/' but must end with a file name");
        }
        return parts;
    }

    /** Parses up to the end of the template, or up to the {@code ]} of the section opened at {@code open} (-1: top level). */
    private List<Part> sequence(int open) {
        List<Part> parts = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        while (pos < template.length()) {
            char c = template.charAt(pos);
            switch (c) {
                case '\\' -> text.append(escaped());
                case '{' -> {
                    flush(text, parts);
                    parts.add(chain());
                }
                case '[' -> {
                    flush(text, parts);
                    int start = pos++;
                    parts.add(new Part.Section(sequence(start)));
                }
                case ']' -> {
                    if (open < 0) {
                        throw error(pos, "']' without '['; write \\] for a literal bracket");
                    }
                    pos++;
                    flush(text, parts);
                    if (parts.stream().noneMatch(Part.Chain.class::isInstance)) {
                        throw error(open, "optional section has no field; write \\[ for a literal bracket");
                    }
                    return List.copyOf(parts);
                }
                case '}' -> throw error(pos, "'}' without '{'; write \\} for a literal brace");
                case '/' -> {
                    if (open < 0) {
                        checkSeparator();
                    }
                    flush(text, parts);
                    parts.add(Part.Text.SEPARATOR);
                    pos++;
                }
                default -> {
                    text.append(c);
                    pos++;
                }
            }
        }
        if (open >= 0) {
            throw error(open, "unclosed '['");
        }
        flush(text, parts);
        return List.copyOf(parts);
    }

    private void checkSeparator() {
        if (pos == 0) {
            throw error(pos, "the pattern starts with '/'; it is relative to the mount point");
        }
        if (lastSeparator == pos - 1) {
            throw error(pos, "empty folder name ('//')");
        }
        lastSeparator = pos;
    }

    /** {@code {entry|entry|...}} at {@code pos}. */
    private Part.Chain chain() {
        int open = pos++;
        List<Part.Entry> entries = new ArrayList<>();
        while (true) {
            if (pos >= template.length()) {
                throw error(open, "unclosed '{'");
            }
            char c = template.charAt(pos);
            if (c == '}' && entries.isEmpty()) {
                throw error(open, "empty field chain '{}'");
            }
            if (c == '|' || c == '}') {
                throw error(pos, "empty entry in field chain");
            }
            entries.add(c == '\'' ? literal() : fieldRef(open));
            if (pos >= template.length()) {
                throw error(open, "unclosed '{'");
            }
            c = template.charAt(pos++);
            if (c == '}') {
                return new Part.Chain(List.copyOf(entries));
            }
            if (c != '|') {
                throw error(pos - 1, "unexpected '" + c + "' in the field chain opened at position " + (open + 1)
                        + " (expected '|' or '}')");
            }
        }
    }

    /** {@code 'text'} at {@code pos}. */
    private Part.Literal literal() {
        int quote = pos++;
        StringBuilder text = new StringBuilder();
        while (true) {
            if (pos >= template.length()) {
                throw error(quote, "unclosed quote");
            }
            char c = template.charAt(pos);
            if (c == '\'') {
                pos++;
                break;
            }
            if (c == '\\') {
                text.append(escaped());
            } else {
                text.append(c);
                pos++;
            }
        }
        String value = SafeName.characters(text.toString());
        if (value.isEmpty()) {
            throw error(quote, "empty literal");
        }
        return new Part.Literal(value);
    }

    /** {@code field} or {@code field:N} at {@code pos}. */
    private Part.FieldRef fieldRef(int open) {
        int start = pos;
        while (pos < template.length() && Character.isLetterOrDigit(template.charAt(pos))) {
            pos++;
        }
        String name = template.substring(start, pos);
        if (name.isEmpty()) {
            throw error(start, "unexpected '" + template.charAt(start) + "' in the field chain opened at position "
                    + (open + 1) + " (expected a field name or a 'literal')");
        }
        Field field = Field.named(name);
        if (field == null) {
            throw error(start, "unknown field '" + name + "' (fields: " + Field.names() + ")");
        }
        if (pos >= template.length() || template.charAt(pos) != ':') {
            return new Part.FieldRef(field, 0);
        }
        int colon = pos++;
        int digits = pos;
        while (pos < template.length() && pos - digits < 3 && Character.isDigit(template.charAt(pos))) {
            pos++;
        }
        if (!field.numeric()) {
            throw error(colon, "field '" + name + "' is not a number and cannot be padded");
        }
        int width = digits == pos ? 0 : Integer.parseInt(template, digits, pos, 10);
        if (width < 1 || width > MAX_WIDTH) {
            throw error(colon, "':' must be followed by a width from 1 to " + MAX_WIDTH);
        }
        return new Part.FieldRef(field, width);
    }

    /** The character after a backslash at {@code pos}. */
    private char escaped() {
        if (pos + 1 >= template.length() || ESCAPABLE.indexOf(template.charAt(pos + 1)) < 0) {
            throw error(pos, "'\\' must be followed by one of { } [ ] | '");
        }
        pos += 2;
        return template.charAt(pos - 1);
    }

    /** Ends a run of literal text: cleaned now so that rendering only copies it. */
    private static void flush(StringBuilder text, List<Part> parts) {
        if (text.length() > 0) {
            parts.add(new Part.Text(SafeName.characters(text.toString())));
            text.setLength(0);
        }
    }

    private IllegalArgumentException error(int index, String problem) {
        return new IllegalArgumentException(
                "bad path pattern \"" + template + "\": " + problem + " at position " + (index + 1));
    }
}
