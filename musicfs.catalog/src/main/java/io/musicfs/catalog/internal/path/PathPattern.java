package io.musicfs.catalog.internal.path;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.musicfs.catalog.internal.TrackTags;

/**
 * One path template of {@code docs/paths.md}, parsed once and rendered for many tracks. Field
 * values are cleaned before they are inserted, so only the template's own {@code /} separates
 * folders; each resulting name is then cleaned and cut by {@link SafeName#name}. Immutable; safe
 * to render from any thread.
 */
public final class PathPattern {

    private final String template;
    private final List<Part> parts;

    private PathPattern(String template, List<Part> parts) {
        this.template = template;
        this.parts = parts;
    }

    /**
     * @throws IllegalArgumentException naming the position and the problem when the template is bad
     */
    public static PathPattern parse(String template) {
        Objects.requireNonNull(template, "template");
        return new PathPattern(template, PatternParser.parse(template));
    }

    /**
     * @param tags the track's tags
     * @param fileName the original file's name on its origin (for {@code filename}, {@code stem}, {@code ext})
     * @return the clean names of the folders and, last, of the file; never empty
     */
    public List<String> render(TrackTags tags, String fileName) {
        StringBuilder path = new StringBuilder(128);
        append(parts, tags, fileName, path);
        List<String> names = new ArrayList<>(4);
        int start = 0;
        for (int slash = path.indexOf("/"); slash >= 0; slash = path.indexOf("/", start)) {
            names.add(SafeName.name(path.substring(start, slash), ""));
            start = slash + 1;
        }
        names.add(SafeName.name(path.substring(start), SafeName.extensionOf(fileName)));
        return List.copyOf(names);
    }

    @Override
    public String toString() {
        return template;
    }

    /**
     * Renders parts into {@code out}; values are clean, so a {@code /} in {@code out} only comes
     * from a separator.
     *
     * @return whether every chain among the parts was non-empty (what a section needs to appear)
     */
    private static boolean append(List<Part> parts, TrackTags tags, String fileName, StringBuilder out) {
        boolean complete = true;
        for (Part part : parts) {
            if (part instanceof Part.Text text) {
                out.append(text.text());
            } else if (part instanceof Part.Chain chain) {
                String value = chain.resolve(tags, fileName);
                complete &= !value.isEmpty();
                out.append(value);
            } else if (part instanceof Part.Section section) {
                int mark = out.length();
                if (!append(section.parts(), tags, fileName, out)) {
                    out.setLength(mark);
                }
            }
        }
        return complete;
    }
}
