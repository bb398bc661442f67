/**
 * The chunk cache as the operator sees it: its state, size and counters, and the commands that act
 * on it (verify, clear, prefetch).
 */
@Version("1.1.0")
@Export
package io.musicfs.api.cache;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
