package io.musicfs.cas.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.musicfs.api.content.OriginRouter;
import io.musicfs.api.library.TrackFile;
import io.musicfs.api.origin.Origin;

/** Routes every file to a fixed list of origins and remembers what it was told. */
final class ListRouter implements OriginRouter {

    record Report(String originId, boolean success) {
    }

    final List<Origin> origins = new CopyOnWriteArrayList<>();
    final List<Report> reports = new CopyOnWriteArrayList<>();
    final AtomicInteger routes = new AtomicInteger();

    ListRouter(Origin... origins) {
        this.origins.addAll(List.of(origins));
    }

    @Override
    public List<Origin> route(TrackFile file) {
        routes.incrementAndGet();
        return List.copyOf(origins);
    }

    @Override
    public void report(String originId, boolean success, long nanos) {
        reports.add(new Report(originId, success));
    }
}
