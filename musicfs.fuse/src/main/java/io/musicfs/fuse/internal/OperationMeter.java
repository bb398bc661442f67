package io.musicfs.fuse.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

import io.musicfs.api.mount.OperationStats;

import ru.serce.jnrfuse.ErrorCodes;

/**
 * Counts the FUSE operations the bridge answers: calls, errors and latency buckets per operation,
 * and the operations in flight. ENOENT is a normal answer (players probe for cover files), not an error.
 *
 * <p>Threading: lock-free; FUSE threads record, any thread reads. A reading is not one consistent snapshot.
 */
final class OperationMeter {

    /** The operations the bridge implements, in the order they are reported. */
    enum Op { GETATTR, READDIR, OPEN, READ, RELEASE, STATFS }

    private static final int BUCKETS = OperationStats.BUCKET_BOUNDS_SECONDS.length + 1;
    private static final long[] BOUNDS_NANOS = new long[BUCKETS - 1];

    static {
        for (int i = 0; i < BOUNDS_NANOS.length; i++) {
            BOUNDS_NANOS[i] = Math.round(OperationStats.BUCKET_BOUNDS_SECONDS[i] * 1e9);
        }
    }

    private final LongAdder inFlight = new LongAdder();
    private final Counters[] counters = new Counters[Op.values().length];

    OperationMeter() {
        for (int i = 0; i < counters.length; i++) {
            counters[i] = new Counters();
        }
    }

    /** @return the start time to hand to {@link #end} */
    long start() {
        inFlight.increment();
        return System.nanoTime();
    }

    /** Records one answered call; returns {@code result} so that a method can end with {@code return meter.end(...)}. */
    int end(Op op, long start, int result) {
        long nanos = System.nanoTime() - start;
        inFlight.decrement();
        Counters c = counters[op.ordinal()];
        c.count.increment();
        if (result < 0 && result != -ErrorCodes.ENOENT()) {
            c.errors.increment();
        }
        c.nanos.add(nanos);
        c.buckets.incrementAndGet(bucket(nanos));
        return result;
    }

    long inFlight() {
        return inFlight.sum();
    }

    /** @return counters of every operation called at least once */
    List<OperationStats> snapshot() {
        List<OperationStats> stats = new ArrayList<>();
        for (Op op : Op.values()) {
            Counters c = counters[op.ordinal()];
            long count = c.count.sum();
            if (count == 0) {
                continue;
            }
            long[] buckets = new long[BUCKETS];
            for (int i = 0; i < BUCKETS; i++) {
                buckets[i] = c.buckets.get(i);
            }
            stats.add(new OperationStats(op.name().toLowerCase(java.util.Locale.ROOT), count, c.errors.sum(), c.nanos.sum() / 1e9, buckets));
        }
        return stats;
    }

    private static int bucket(long nanos) {
        for (int i = 0; i < BOUNDS_NANOS.length; i++) {
            if (nanos <= BOUNDS_NANOS[i]) {
                return i;
            }
        }
        return BOUNDS_NANOS.length;
    }

    private static final class Counters {
        final LongAdder count = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LongAdder nanos = new LongAdder();
        final AtomicLongArray buckets = new AtomicLongArray(BUCKETS);
    }
}
