package io.musicfs.run.internal;

import io.musicfs.api.origin.OriginIds;

/** Origin ids: what they may contain, and how one is made from a folder name. */
final class OriginIdRule {

    private OriginIdRule() {
    }

    static void check(String id) {
        if (!OriginIds.isValid(id)) {
            throw new IllegalArgumentException("'" + id + "' is not a valid origin id (1 to 64 letters, digits, '.', '_' or '-', "
                    + "starting with a letter or digit)");
        }
    }

    /** @return an id made from the last name of a folder path ({@code ~/Music} gives {@code Music}) */
    static String fromFolder(String folder) {
        String name = folder.replaceAll("/+$", "");
        name = name.substring(name.lastIndexOf('/') + 1);
        String id = name.replaceAll("[^A-Za-z0-9._-]", "-").replaceAll("^[._-]+", "");
        if (id.length() > 64) {
            id = id.substring(0, 64);
        }
        return id.isEmpty() ? "local" : id;
    }
}
