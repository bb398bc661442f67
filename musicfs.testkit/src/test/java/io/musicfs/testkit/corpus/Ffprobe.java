package io.musicfs.testkit.corpus;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a file's tags with {@code ffprobe -show_entries format_tags:stream_tags -of json}, an
 * independent real reader. ffmpeg keeps FLAC and ID3 tags on the format but Ogg comments on the
 * stream, so both are merged, keys lower-cased.
 */
final class Ffprobe {

    private Ffprobe() {
    }

    static Map<String, String> tags(Path file) throws IOException, InterruptedException {
        ExternalTool.Run run = ExternalTool.run("ffprobe", "-v", "error", "-show_entries",
                "format_tags:stream_tags", "-of", "json", file.toString());
        if (run.exitCode() != 0) {
            throw new IOException("ffprobe failed on " + file + ": " + run.output());
        }
        Map<String, String> tags = new LinkedHashMap<>();
        Map<?, ?> root = (Map<?, ?>) new Json(run.output()).value();
        if (root.get("streams") instanceof List<?> streams) {
            for (Object stream : streams) {
                collect(((Map<?, ?>) stream).get("tags"), tags);
            }
        }
        if (root.get("format") instanceof Map<?, ?> format) {
            collect(format.get("tags"), tags);
        }
        return tags;
    }

    private static void collect(Object tagObject, Map<String, String> into) {
        if (tagObject instanceof Map<?, ?> tags) {
            tags.forEach((k, v) -> into.put(((String) k).toLowerCase(Locale.ROOT), (String) v));
        }
    }

    /** Just enough JSON for ffprobe's output: objects, arrays, strings, numbers, literals. */
    private static final class Json {
        private final String text;
        private int pos;

        Json(String text) {
            this.text = text;
        }

        Object value() {
            skipSpace();
            char c = text.charAt(pos);
            if (c == '{') {
                Map<String, Object> map = new LinkedHashMap<>();
                pos++;
                skipSpace();
                while (text.charAt(pos) != '}') {
                    String key = string();
                    skipSpace();
                    expect(':');
                    map.put(key, value());
                    skipSpace();
                    if (text.charAt(pos) == ',') {
                        pos++;
                        skipSpace();
                    }
                }
                pos++;
                return map;
            }
            if (c == '[') {
                List<Object> list = new ArrayList<>();
                pos++;
                skipSpace();
                while (text.charAt(pos) != ']') {
                    list.add(value());
                    skipSpace();
                    if (text.charAt(pos) == ',') {
                        pos++;
                    }
                    skipSpace();
                }
                pos++;
                return list;
            }
            if (c == '"') {
                return string();
            }
            int start = pos;
            while (pos < text.length() && ",}] \n\r\t".indexOf(text.charAt(pos)) < 0) {
                pos++;
            }
            return text.substring(start, pos);
        }

        private String string() {
            expect('"');
            StringBuilder s = new StringBuilder();
            for (char c = text.charAt(pos++); c != '"'; c = text.charAt(pos++)) {
                if (c != '\\') {
                    s.append(c);
                    continue;
                }
                char e = text.charAt(pos++);
                switch (e) {
                    case 'n' -> s.append('\n');
                    case 't' -> s.append('\t');
                    case 'r' -> s.append('\r');
                    case 'b' -> s.append('\b');
                    case 'f' -> s.append('\f');
                    case 'u' -> {
                        s.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    default -> s.append(e);
                }
            }
            return s.toString();
        }

        private void expect(char c) {
            if (text.charAt(pos) != c) {
                throw new IllegalArgumentException("expected '" + c + "' at " + pos + " in " + text);
            }
            pos++;
        }

        private void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }
    }
}
