package io.musicfs.catalog.internal.tags;

import java.util.Objects;

import io.musicfs.catalog.internal.TrackTags;

/**
 * What reading one file's tags gave: the tags, or why the file is unreadable (then the tags are
 * {@link TrackTags#NONE}), and what it cost.
 *
 * @param tags the tags; {@link TrackTags#NONE} when unreadable
 * @param problem why the file is unreadable ("it has no fLaC stream marker at offset 0"), or
 *     {@code null} when it was read
 * @param bytesFetched bytes read from the origin for this file
 * @param requests origin read calls made for this file
 */
public record TagReadResult(TrackTags tags, String problem, long bytesFetched, int requests) {

    public TagReadResult {
        Objects.requireNonNull(tags, "tags");
    }

    static TagReadResult read(TrackTags tags, long bytesFetched, int requests) {
        return new TagReadResult(tags, null, bytesFetched, requests);
    }

    static TagReadResult unreadable(String problem, long bytesFetched, int requests) {
        return new TagReadResult(TrackTags.NONE, problem, bytesFetched, requests);
    }

    /** @return whether the file is the audio its extension says and its tags were read (they may still be empty) */
    public boolean readable() {
        return problem == null;
    }
}
