package io.musicfs.testkit.corpus;

import java.util.Objects;

/**
 * One path the mount must show, and the origin file behind it.
 *
 * @param caseId {@code bulk}, {@code large} or the {@link HardCase#id()} the file illustrates
 * @param sourcePath the file's relative path on the origin, {@code /}-separated; a path through a
 *        symbolic link when the file is reached through one
 * @param virtualPath the path the mount must show, relative to the mount point
 * @param size the file's size in bytes
 * @param sha256 the lower-case hex SHA-256 of the file's bytes
 * @param format the audio format, or {@code null} when the file is not readable audio (empty,
 *        truncated, random bytes)
 * @param tagLayout how the tags are stored; {@link TagLayout#NONE} when there are none
 * @param tags the tags a reader must find, or {@code null} when there are none
 */
public record TruthEntry(String caseId, String sourcePath, String virtualPath, long size, String sha256,
                         AudioFormat format, TagLayout tagLayout, Tags tags) {

    public TruthEntry {
        Objects.requireNonNull(caseId, "caseId");
        Objects.requireNonNull(sourcePath, "sourcePath");
        Objects.requireNonNull(virtualPath, "virtualPath");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(tagLayout, "tagLayout");
        if ((tags == null) != (tagLayout == TagLayout.NONE)) {
            throw new IllegalArgumentException("tags and tag layout disagree for " + sourcePath);
        }
    }
}
