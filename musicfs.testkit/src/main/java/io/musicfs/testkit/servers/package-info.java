/**
 * Real servers for tests, started as child processes on loopback: S3Proxy (an S3 implementation)
 * and, as origins grow, others. JDK only.
 */
@Export
@Version("1.0.0")
package io.musicfs.testkit.servers;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
