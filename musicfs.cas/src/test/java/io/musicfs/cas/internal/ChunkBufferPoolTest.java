package io.musicfs.cas.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class ChunkBufferPoolTest {

    private final ChunkBufferPool pool = new ChunkBufferPool(1024, 2);

    @Test
    void aReleasedChunkStaysFindableUntilItsBufferIsReused() {
        ChunkBufferPool.Buffer a = pool.take();
        pool.publish(a, 11, 100);
        pool.release(a);
        ChunkBufferPool.Buffer b = pool.take();
        pool.publish(b, 22, 100);
        pool.release(b);

        assertSame(a, pool.pin(11, 100));
        assertNull(pool.pin(11, 99), "same hash, other length: not the chunk asked for");
        pool.release(a);

        // Both kept buffers hold chunks; the least recently released (b) is reused first.
        ChunkBufferPool.Buffer c = pool.take();
        assertSame(b, c);
        assertNull(pool.pin(22, 100));
        assertSame(a, pool.pin(11, 100));
        pool.release(a);
        pool.release(c);
    }

    @Test
    void aPinnedBufferIsNeverHandedOutAndTransientOnesTakeOverWhenAllArePinned() {
        ChunkBufferPool.Buffer a = pool.take();
        pool.publish(a, 11, 100);
        ChunkBufferPool.Buffer b = pool.take();
        ChunkBufferPool.Buffer extra = pool.take();
        assertNotSame(a, extra);
        assertNotSame(b, extra);
        assertEquals(1, pool.transientAllocations());
        pool.release(extra);
        ChunkBufferPool.Buffer again = pool.take();
        assertNotSame(extra, again, "a transient buffer is not kept");
        pool.release(again);
        pool.release(b);
        pool.release(a);
    }

    @Test
    void anAbandonedBufferIsNeverReused() {
        ChunkBufferPool.Buffer a = pool.take();
        pool.abandon(a);
        ChunkBufferPool.Buffer b = pool.take();
        ChunkBufferPool.Buffer c = pool.take();
        assertNotSame(a, b);
        assertNotSame(a, c);
        assertEquals(0, pool.transientAllocations(), "the abandoned buffer's place is free again");
    }

    @Test
    void aRetainedChunkStaysFindableAndIsNeverReusedUntilEveryPinIsDropped() {
        ChunkBufferPool.Buffer a = pool.take();
        pool.publish(a, 11, 100);
        pool.retain(a); // the chunk writer's pin
        pool.release(a); // the reader is done with it
        ChunkBufferPool.Buffer b = pool.take();
        ChunkBufferPool.Buffer c = pool.take();
        assertNotSame(a, b);
        assertNotSame(a, c);
        assertSame(a, pool.pin(11, 100), "a chunk waiting to be written is served from memory");
        pool.release(a);
        pool.release(a); // written: the writer drops its pin
        pool.release(b);
        pool.release(c);
        assertSame(a, pool.pin(11, 100), "still findable until its buffer is needed");
        pool.release(a);
    }

    @Test
    void tryTakeNeverAllocatesBeyondTheKeptBuffers() {
        ChunkBufferPool.Buffer a = pool.tryTake();
        ChunkBufferPool.Buffer b = pool.tryTake();
        assertNull(pool.tryTake(), "every kept buffer is pinned");
        assertEquals(0, pool.transientAllocations());
        pool.publish(a, 11, 100);
        pool.release(a);
        assertSame(a, pool.tryTake(), "an idle buffer with a chunk is reused");
        assertNull(pool.pin(11, 100));
        pool.release(a);
        pool.release(b);
    }

    @Test
    void aPublishedTransientBufferIsFindableOnlyWhilePinned() {
        ChunkBufferPool.Buffer a = pool.take();
        ChunkBufferPool.Buffer b = pool.take();
        ChunkBufferPool.Buffer extra = pool.take();
        assertEquals(1, pool.transientAllocations());
        pool.publish(extra, 33, 100);
        pool.retain(extra);
        pool.release(extra);
        assertSame(extra, pool.pin(33, 100));
        pool.release(extra);
        pool.release(extra);
        assertNull(pool.pin(33, 100), "a transient buffer is forgotten with its last pin");
        pool.release(a);
        pool.release(b);
    }
}
