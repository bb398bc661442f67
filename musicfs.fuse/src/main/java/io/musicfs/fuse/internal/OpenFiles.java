package io.musicfs.fuse.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.musicfs.api.library.TrackFile;

/**
 * The table of open file handles: what the kernel's file handle number stands for. A handle keeps
 * the file version it was opened on, so a reader is not switched to another file when the tree
 * changes under it. Thread-safe.
 */
final class OpenFiles {

    private final AtomicLong next = new AtomicLong(1);
    private final Map<Long, TrackFile> open = new ConcurrentHashMap<>();

    long open(TrackFile file) {
        long handle = next.getAndIncrement();
        open.put(handle, file);
        return handle;
    }

    TrackFile get(long handle) {
        return open.get(handle);
    }

    void release(long handle) {
        open.remove(handle);
    }

    int size() {
        return open.size();
    }
}
