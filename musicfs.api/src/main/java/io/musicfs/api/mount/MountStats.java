package io.musicfs.api.mount;

import java.util.List;

/**
 * The FUSE mount's counters at one moment.
 *
 * @param openHandles files open through the mount
 * @param inFlight FUSE operations being answered right now
 * @param operations one entry per FUSE operation name that has been called since start
 */
public record MountStats(long openHandles, long inFlight, List<OperationStats> operations) {

    public MountStats {
        operations = List.copyOf(operations);
    }
}
