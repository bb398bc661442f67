package io.musicfs.metrics.internal;

import java.io.IOException;

import io.musicfs.api.cache.CacheAdmin;
import io.musicfs.api.health.HealthMonitor;
import io.musicfs.api.library.Library;
import io.musicfs.api.mount.Mount;
import io.musicfs.api.supervision.Lifecycle;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants;

/**
 * {@code GET /metrics} on the servlet whiteboard: the {@link LiveMetrics} in the Prometheus text
 * format. Every service is optional: a metric whose service is absent has no samples.
 */
@Component(service = Servlet.class, property = {
    HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_PATTERN + "=/metrics",
    HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_NAME + "=musicfs-metrics" })
public class MetricsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private transient volatile Mount mount;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private transient volatile CacheAdmin cache;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private transient volatile HealthMonitor health;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private transient volatile Library library;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private transient volatile Lifecycle lifecycle;

    private final transient LiveMetrics metrics = new LiveMetrics(
            new LiveMetrics.Sources(() -> mount, () -> cache, () -> health, () -> library, () -> lifecycle));

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(metrics.contentType());
        metrics.write(response.getOutputStream());
    }
}
