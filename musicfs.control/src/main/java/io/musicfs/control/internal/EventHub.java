package io.musicfs.control.internal;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.osgi.service.event.Event;

/**
 * Keeps the most recent events and hands each new one to the live subscribers (the API's event
 * streams and the status page). Event Admin's thread only ever appends to bounded structures here:
 * a subscriber that does not keep up loses events, and they are counted, never waited for.
 *
 * <p>Thread safety: {@link #publish} is called from Event Admin's threads, the rest from servlet
 * threads; the recent list is guarded by its own monitor, subscribers are a copy-on-write set.
 */
final class EventHub {

    /** events kept for {@code GET /api/events/recent} and the status page */
    static final int RECENT = 100;
    /** events a subscriber may have waiting before new ones are dropped for it */
    static final int SUBSCRIBER_QUEUE = 256;

    /** what {@link Subscription#next} returns once the hub is closed */
    static final ControlEvent END = new ControlEvent(-1, java.time.Instant.EPOCH, "end", null, java.util.Map.of());

    private final Clock clock;
    private final AtomicLong ids = new AtomicLong();
    private final ArrayDeque<ControlEvent> recent = new ArrayDeque<>();
    private final Set<Subscription> subscriptions = new CopyOnWriteArraySet<>();
    private final AtomicLong dropped = new AtomicLong();

    EventHub(Clock clock) {
        this.clock = clock;
    }

    ControlEvent publish(Event event) {
        ControlEvent controlEvent = ControlEvent.of(ids.incrementAndGet(), clock.instant(), event);
        synchronized (recent) {
            if (recent.size() == RECENT) {
                recent.removeFirst();
            }
            recent.addLast(controlEvent);
        }
        for (Subscription subscription : subscriptions) {
            subscription.offer(controlEvent);
        }
        return controlEvent;
    }

    /** @return the recent events that pass {@code filter}, oldest first */
    List<ControlEvent> recent(ControlEvent.Filter filter) {
        List<ControlEvent> events = new ArrayList<>();
        synchronized (recent) {
            for (ControlEvent event : recent) {
                if (filter.accepts(event)) {
                    events.add(event);
                }
            }
        }
        return events;
    }

    Subscription subscribe(ControlEvent.Filter filter) {
        Subscription subscription = new Subscription(filter);
        subscriptions.add(subscription);
        return subscription;
    }

    int subscribers() {
        return subscriptions.size();
    }

    /** Ends every subscription: their next {@link Subscription#next} returns {@link #END} at once. */
    void close() {
        for (Subscription subscription : subscriptions) {
            subscription.queue.clear();
            subscription.queue.offer(END);
        }
    }

    /** @return events dropped for slow subscribers since start */
    long dropped() {
        return dropped.get();
    }

    /** One live subscriber's queue; closing it unsubscribes. */
    final class Subscription implements AutoCloseable {

        private final ControlEvent.Filter filter;
        private final BlockingQueue<ControlEvent> queue = new ArrayBlockingQueue<>(SUBSCRIBER_QUEUE);

        private Subscription(ControlEvent.Filter filter) {
            this.filter = filter;
        }

        private void offer(ControlEvent event) {
            if (filter.accepts(event) && !queue.offer(event)) {
                dropped.incrementAndGet();
            }
        }

        /** @return the next event, {@code null} when none came within the timeout, or {@link #END} when the hub closed */
        ControlEvent next(long timeout, TimeUnit unit) throws InterruptedException {
            return queue.poll(timeout, unit);
        }

        @Override
        public void close() {
            subscriptions.remove(this);
        }
    }
}
