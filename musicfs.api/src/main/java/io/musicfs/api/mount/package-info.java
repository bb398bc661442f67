/** The mount: the state of the FUSE file system that shows the library. */
@Version("1.2.0")
@Export
package io.musicfs.api.mount;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
