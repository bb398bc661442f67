package io.musicfs.catalog.internal.path;

import java.util.List;
import java.util.Objects;

import io.musicfs.catalog.internal.CatalogEntry;
import io.musicfs.catalog.internal.TrackTags;

/**
 * The three configured path patterns of {@code docs/paths.md} ({@code path.default},
 * {@code path.compilation}, {@code path.untagged}) and the rule that picks one per track.
 * Immutable; safe to use from any thread.
 */
public final class LibraryLayout {

    public static final String DEFAULT_PROPERTY = "path.default";
    public static final String COMPILATION_PROPERTY = "path.compilation";
    public static final String UNTAGGED_PROPERTY = "path.untagged";

    public static final String DEFAULT_PATTERN =
            "{albumartist|artist|'Unknown Artist'}/{album|'Unknown Album'}[ ({year})]/[{disc}-][{track:2} - ]{title}.{ext}";
    public static final String COMPILATION_PATTERN =
            "Compilations/{album|'Unknown Album'}[ ({year})]/[{disc}-][{track:2} - ][{artist} - ]{title}.{ext}";
    public static final String UNTAGGED_PATTERN = "Unknown Artist/Unknown Album/{filename}";

    private static final LibraryLayout DEFAULTS = new LibraryLayout(DEFAULT_PATTERN, COMPILATION_PATTERN, UNTAGGED_PATTERN);

    private final PathPattern tagged;
    private final PathPattern compilation;
    private final PathPattern untagged;

    /**
     * @throws IllegalArgumentException naming the property and the problem when a pattern is bad
     */
    public LibraryLayout(String defaultPattern, String compilationPattern, String untaggedPattern) {
        this.tagged = parse(DEFAULT_PROPERTY, defaultPattern);
        this.compilation = parse(COMPILATION_PROPERTY, compilationPattern);
        this.untagged = parse(UNTAGGED_PROPERTY, untaggedPattern);
    }

    /** @return the layout of the documented default patterns */
    public static LibraryLayout defaults() {
        return DEFAULTS;
    }

    /** @return the clean names of the track's folders and, last, of its file */
    public List<String> pathOf(CatalogEntry entry) {
        TrackTags tags = entry.tags();
        String fileName = entry.path().substring(entry.path().lastIndexOf('/') + 1);
        return patternFor(tags).render(tags, fileName);
    }

    /** Untagged wins over compilation: without a title the compilation pattern has nothing to name the file by. */
    private PathPattern patternFor(TrackTags tags) {
        if (SafeName.value(tags.title()).isEmpty()) {
            return untagged;
        }
        if (tags.compilation() || "Various Artists".equalsIgnoreCase(SafeName.value(tags.albumArtist()))) {
            return compilation;
        }
        return tagged;
    }

    private static PathPattern parse(String property, String template) {
        Objects.requireNonNull(template, property);
        try {
            return PathPattern.parse(template);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(property + ": " + e.getMessage(), e);
        }
    }
}
