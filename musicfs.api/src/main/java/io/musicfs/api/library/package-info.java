/**
 * The library: the tag-organised virtual tree the catalog builds from the origins' files, and the
 * events it sends when the tree changes.
 */
@Version("1.1.0")
@Export
package io.musicfs.api.library;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
