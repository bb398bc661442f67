package io.musicfs.catalog.internal.path;

import java.util.List;

import io.musicfs.catalog.internal.TrackTags;

/** One parsed piece of a path pattern. Immutable. */
sealed interface Part {

    /** Literal text, already cleaned by {@link SafeName#characters}; {@code "/"} alone is a folder separator. */
    record Text(String text) implements Part {
        static final Text SEPARATOR = new Text("/");
    }

    /** {@code {a|b|'c'}}: the first non-empty entry. */
    record Chain(List<Entry> entries) implements Part {

        /** @return the first non-empty entry's cleaned value, or {@code ""} */
        String resolve(TrackTags tags, String fileName) {
            for (Entry entry : entries) {
                String value = entry.resolve(tags, fileName);
                if (!value.isEmpty()) {
                    return value;
                }
            }
            return "";
        }
    }

    /** {@code [ ... ]}: rendered only when every chain directly inside is non-empty. */
    record Section(List<Part> parts) implements Part {
    }

    /** One entry of a chain. */
    sealed interface Entry {
        /** @return the cleaned value, {@code ""} when empty */
        String resolve(TrackTags tags, String fileName);
    }

    /** {@code 'text'} in a chain, already cleaned; never empty. */
    record Literal(String text) implements Entry {
        @Override
        public String resolve(TrackTags tags, String fileName) {
            return text;
        }
    }

    /** {@code field} or {@code field:N}; {@code width} 0 means no padding. */
    record FieldRef(Field field, int width) implements Entry {
        @Override
        public String resolve(TrackTags tags, String fileName) {
            String value = SafeName.value(field.value(tags, fileName));
            return value.isEmpty() || value.length() >= width ? value : "0".repeat(width - value.length()) + value;
        }
    }
}
