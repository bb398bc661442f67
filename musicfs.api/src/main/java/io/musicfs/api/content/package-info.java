/**
 * Content: reading a catalogued file's bytes through the chunk cache, the manifests that map a
 * file version to its chunks, and the routing that picks the origin to fetch from.
 */
@Version("2.0.0")
@Export
package io.musicfs.api.content;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
