package io.musicfs.catalog.internal.db;

import java.util.Objects;

import io.musicfs.api.origin.OriginEntry;
import io.musicfs.catalog.internal.TrackTags;

/**
 * One file to insert or update: its identity as listed, and its tags as read.
 *
 * @param entry the file as the origin listed it
 * @param tags the tags, {@link TrackTags#NONE} unless {@code tagState} is {@link TagState#READ}
 * @param tagState whether the tags were read
 * @param tagsVersion the {@code TagReader.VERSION} that read them
 * @param problem why the tags could not be read, or {@code null}
 */
public record FileWrite(OriginEntry entry, TrackTags tags, TagState tagState, int tagsVersion, String problem) {

    public FileWrite {
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(tags, "tags");
        Objects.requireNonNull(tagState, "tagState");
    }
}
