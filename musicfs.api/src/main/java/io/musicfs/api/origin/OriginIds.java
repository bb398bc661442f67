package io.musicfs.api.origin;

import java.util.regex.Pattern;

/**
 * The rule for origin ids, which name origins in configuration, logs, metrics and the catalog.
 *
 * @since 1.1
 */
public final class OriginIds {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private OriginIds() {
    }

    /** @return whether {@code id} is a valid origin id: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit */
    public static boolean isValid(String id) {
        return id != null && VALID.matcher(id).matches();
    }

    /**
     * @return {@code id}, when valid
     * @throws IllegalArgumentException naming the {@code origin.id} property and the rule otherwise
     */
    public static String validate(String id) {
        if (!isValid(id)) {
            throw new IllegalArgumentException("origin.id: '" + id
                    + "' is not a valid origin id (1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit)");
        }
        return id;
    }
}
