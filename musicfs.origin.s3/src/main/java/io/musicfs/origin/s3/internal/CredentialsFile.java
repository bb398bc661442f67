package io.musicfs.origin.s3.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.profiles.ProfileFile;

/**
 * A configured AWS shared-credentials file, re-read when it changes so rotated keys apply without
 * restarting the origin. Looks at the file at most every {@link #CHECK_INTERVAL_NANOS} (the SDK
 * asks for credentials on every request). A changed file that cannot be read or parsed keeps the
 * last good version in use, with one warning per change.
 *
 * <p>Replaces the SDK's {@code ProfileFileSupplier.reloadWhenModified}, which in 2.31.0 logs a
 * warning on every request (aws-sdk-java-v2 issue 5839, fixed in a later release).
 *
 * <p>Thread-safe: {@link #get()} is synchronized; the checks are rare and cheap.
 */
final class CredentialsFile implements Supplier<ProfileFile> {

    private static final Logger LOG = LoggerFactory.getLogger(CredentialsFile.class);
    /** how often a request may look at the file's modification time */
    static final long CHECK_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final String originId;
    private final Path file;
    private final long checkIntervalNanos;
    private ProfileFile current;
    private FileTime modified;
    private long size;
    private long lastCheck;
    private FileTime failedVersion;

    /** @throws IllegalArgumentException naming {@code credentialsFile} when the file cannot be read or parsed */
    CredentialsFile(String originId, Path file, long checkIntervalNanos) {
        this.originId = originId;
        this.file = file;
        this.checkIntervalNanos = checkIntervalNanos;
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            current = parse();
            modified = attributes.lastModifiedTime();
            size = attributes.size();
            lastCheck = System.nanoTime();
        } catch (IOException | RuntimeException e) {
            // The parser's messages give a line number, never a line.
            throw new IllegalArgumentException("credentialsFile: " + S3Settings.display(file)
                    + " is not a readable AWS credentials file: " + e.getMessage());
        }
    }

    private ProfileFile parse() {
        return ProfileFile.builder().content(file).type(ProfileFile.Type.CREDENTIALS).build();
    }

    /** @return the file as it was last read successfully */
    ProfileFile loaded() {
        return current;
    }

    @Override
    public synchronized ProfileFile get() {
        long now = System.nanoTime();
        if (now - lastCheck < checkIntervalNanos) {
            return current;
        }
        lastCheck = now;
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            if (attributes.lastModifiedTime().equals(modified) && attributes.size() == size) {
                return current;
            }
            ProfileFile reread = parse();
            current = reread;
            modified = attributes.lastModifiedTime();
            size = attributes.size();
            failedVersion = null;
            LOG.info("origin {}: credentials file {} changed; using it from now on", originId, S3Settings.display(file));
        } catch (IOException | RuntimeException e) {
            FileTime version = fileTime();
            if (failedVersion == null || !failedVersion.equals(version)) {
                failedVersion = version;
                LOG.warn("origin {}: credentials file {} changed but cannot be read ({}); still using the version read before",
                        originId, S3Settings.display(file), e.getMessage());
            }
        }
        return current;
    }

    private FileTime fileTime() {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }
}
