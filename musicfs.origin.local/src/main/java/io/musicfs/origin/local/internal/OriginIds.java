package io.musicfs.origin.local.internal;

import java.util.regex.Pattern;

/** The rule for origin ids, which appear in logs, metrics and the catalog. */
final class OriginIds {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private OriginIds() {
    }

    static String validate(String id) {
        if (id == null || !VALID.matcher(id).matches()) {
            throw new IllegalArgumentException("origin.id: '" + id
                    + "' is not a valid origin id (1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit)");
        }
        return id;
    }
}
