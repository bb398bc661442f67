/**
 * Supervision: the daemon's lifecycle, background tasks restarted per policy when they fail, and the failures of tasks,
 * components and bundles as the operator sees them.
 */
@Version("1.0.0")
@Export
package io.musicfs.api.supervision;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
