/**
 * Health: the state of each origin as the health monitor sees it, and the state of the whole
 * service (ready, syncing, degraded, offline).
 */
@Version("1.0.0")
@Export
package io.musicfs.api.health;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
