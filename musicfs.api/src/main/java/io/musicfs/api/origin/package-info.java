/**
 * Origins: the places music lives (a local folder, an S3 bucket, an SFTP server). Each configured
 * origin is one {@link io.musicfs.api.origin.Origin} service, registered by the bundle of its type.
 */
@Version("1.1.0")
@Export
package io.musicfs.api.origin;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
