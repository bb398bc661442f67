package io.musicfs.run.internal;

import java.util.Map;

/**
 * One origin as the user configured it.
 *
 * @param id the origin id (unique; names the origin in logs and keys its files in the catalog)
 * @param type the origin type, which picks the bundle that serves it ({@code local})
 * @param priority lower is preferred
 * @param properties the type's own settings ({@code path} for a local folder)
 */
record OriginSpec(String id, String type, int priority, Map<String, String> properties) {
}
