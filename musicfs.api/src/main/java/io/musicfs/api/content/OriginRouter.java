package io.musicfs.api.content;

import java.util.List;

import io.musicfs.api.library.TrackFile;
import io.musicfs.api.origin.Origin;

import org.osgi.annotation.versioning.ProviderType;

/** Chooses which origins to fetch a file's bytes from, healthiest first. */
@ProviderType
public interface OriginRouter {

    /** @return the origins to try for this file, best first; empty when none can serve it now */
    List<Origin> route(TrackFile file);

    /** Reports the outcome of one origin call, so routing and health learn from real traffic. */
    void report(String originId, boolean success, long nanos);
}
