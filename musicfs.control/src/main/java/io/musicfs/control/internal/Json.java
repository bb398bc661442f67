package io.musicfs.control.internal;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

/** The one Gson of the bundle: nulls written (a missing value is shown as such), no HTML escaping. */
final class Json {

    static final Gson GSON = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();

    private Json() {
    }

    static String write(Object value) {
        return GSON.toJson(value);
    }
}
