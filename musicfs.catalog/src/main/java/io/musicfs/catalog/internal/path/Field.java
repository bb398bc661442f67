package io.musicfs.catalog.internal.path;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.musicfs.catalog.internal.TrackTags;

/** The fields a path pattern can name, as listed in {@code docs/paths.md}, and where each value comes from. */
enum Field {
    ALBUMARTIST(false, (tags, file) -> tags.albumArtist()),
    ARTIST(false, (tags, file) -> tags.artist()),
    ALBUM(false, (tags, file) -> tags.album()),
    TITLE(false, (tags, file) -> tags.title()),
    TRACK(true, (tags, file) -> number(tags.track())),
    TRACKTOTAL(true, (tags, file) -> number(tags.trackTotal())),
    DISC(true, (tags, file) -> tags.discTotal() > 1 || tags.disc() > 1 ? number(tags.disc()) : null),
    DISCNUMBER(true, (tags, file) -> number(tags.disc())),
    DISCTOTAL(true, (tags, file) -> number(tags.discTotal())),
    YEAR(true, (tags, file) -> tags.year()),
    GENRE(false, (tags, file) -> tags.genre()),
    COMPOSER(false, (tags, file) -> tags.composer()),
    FORMAT(false, (tags, file) -> tags.format()),
    EXT(false, (tags, file) -> SafeName.extensionOf(file)),
    FILENAME(false, (tags, file) -> file),
    STEM(false, (tags, file) -> stemOf(file));

    private static final Map<String, Field> BY_NAME = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(Field::fieldName, Function.identity()));

    private final boolean numeric;
    private final BiFunction<TrackTags, String, String> source;

    Field(boolean numeric, BiFunction<TrackTags, String, String> source) {
        this.numeric = numeric;
        this.source = source;
    }

    /** @return the field of that name as written in a pattern, or {@code null} */
    static Field named(String name) {
        return BY_NAME.get(name);
    }

    /** @return the names a pattern may use, for error messages */
    static String names() {
        return Arrays.stream(values()).map(Field::fieldName).collect(Collectors.joining(", "));
    }

    String fieldName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return whether {@code {field:N}} may pad it with zeros */
    boolean numeric() {
        return numeric;
    }

    /**
     * @param fileName the original file's name on its origin
     * @return the raw value, {@code null} or blank when empty
     */
    String value(TrackTags tags, String fileName) {
        return source.apply(tags, fileName);
    }

    /** The doc: "0 counts as empty". */
    private static String number(int n) {
        return n > 0 ? Integer.toString(n) : null;
    }

    private static String stemOf(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot > 0 ? fileName.substring(0, dot) : fileName;
    }
}
