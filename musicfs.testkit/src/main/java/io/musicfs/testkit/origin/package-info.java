/**
 * Shared tests for origins: one contract every origin type must pass, run against the real
 * implementation of each type (a local folder, S3 behind S3Proxy, SFTP behind OpenSSH).
 */
@Export
@Version("1.0.0")
package io.musicfs.testkit.origin;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
