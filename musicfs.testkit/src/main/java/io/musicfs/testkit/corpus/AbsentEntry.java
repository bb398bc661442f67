package io.musicfs.testkit.corpus;

import java.util.Objects;

/**
 * An origin path the mount must not list: a hidden file, a file in a hidden folder, a non-audio
 * file, a broken symbolic link, or a path that only a followed symbolic-link loop would reach.
 *
 * @param caseId the {@link HardCase#id()} (or {@code bulk}) the path illustrates
 * @param sourcePath the relative path on the origin, {@code /}-separated
 */
public record AbsentEntry(String caseId, String sourcePath) {

    public AbsentEntry {
        Objects.requireNonNull(caseId, "caseId");
        Objects.requireNonNull(sourcePath, "sourcePath");
    }
}
