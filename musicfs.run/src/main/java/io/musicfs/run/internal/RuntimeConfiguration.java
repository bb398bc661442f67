package io.musicfs.run.internal;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;

import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Maps {@link Settings} onto Configuration Admin: one configuration per component, one factory
 * configuration per origin (named by the origin id, so a change of the same origin updates it in
 * place). The component PIDs and property names are the bundles' documented configuration.
 */
final class RuntimeConfiguration {

    static final String CATALOG_PID = "musicfs.catalog";
    static final String CAS_PID = "musicfs.cas";
    static final String FUSE_PID = "musicfs.fuse";
    /** the health monitor: its defaults apply (10 s probes, 5 s deadline); a configuration must exist for it to run */
    static final String HEALTH_PID = "musicfs.health";
    static final String LOCAL_ORIGIN_FACTORY = "musicfs.origin.local";
    /** Felix HTTP Jetty's configuration */
    /** the Felix health check servlet, a factory component */
    static final String HEALTH_SERVLET_FACTORY = "org.apache.felix.hc.core.impl.servlet.HealthCheckExecutorServlet";

    private RuntimeConfiguration() {
    }

    static void apply(ConfigurationAdmin admin, Settings settings) throws IOException {
        Hashtable<String, Object> catalog = new Hashtable<>();
        catalog.put("databaseDir", settings.cacheDir().resolve("catalog").toString());
        // the catalog drops the tracks of origins that are no longer configured
        catalog.put("origins", settings.origins().stream().sorted(java.util.Comparator.comparingInt(OriginSpec::priority))
                .map(OriginSpec::id).toArray(String[]::new));
        if (settings.pollIntervalSeconds() != null) {
            catalog.put("pollIntervalSeconds", settings.pollIntervalSeconds());
        }
        for (Map.Entry<String, String> pattern : settings.pathPatterns().entrySet()) {
            catalog.put("path." + pattern.getKey(), pattern.getValue());
        }
        update(admin.getConfiguration(CATALOG_PID, "?"), catalog);

        Hashtable<String, Object> cas = new Hashtable<>();
        cas.put("cacheDir", settings.cacheDir().toString());
        if (settings.cacheLimitBytes() != null) {
            cas.put("cacheLimitBytes", settings.cacheLimitBytes());
        }
        update(admin.getConfiguration(CAS_PID, "?"), cas);

        for (OriginSpec origin : settings.origins()) {
            Hashtable<String, Object> props = new Hashtable<>(origin.properties());
            props.put("origin.id", origin.id());
            props.put("origin.priority", origin.priority());
            update(admin.getFactoryConfiguration(factoryPid(origin.type()), origin.id(), "?"), props);
        }

        Hashtable<String, Object> fuse = new Hashtable<>();
        fuse.put("mountPoint", settings.mountPoint().toString());
        fuse.put("allowOther", settings.allowOther());
        update(admin.getConfiguration(FUSE_PID, "?"), fuse);
        update(admin.getConfiguration(HEALTH_PID, "?"), new Hashtable<>()); // its defaults; the configuration switches it on

        // The Felix health check servlet at /system/health, on the listener the control bundle opens
        // once the mount is up ([control] address and port)
        Hashtable<String, Object> health = new Hashtable<>();
        health.put("servletPath", "/system/health");
        health.put("format", "json");
        // no CORS header: a web page open in a browser on this machine must not read the results
        health.put("cors.accessControlAllowOrigin", "");
        update(admin.getFactoryConfiguration(HEALTH_SERVLET_FACTORY, "musicfs", "?"), health);
    }

    static String factoryPid(String originType) {
        return "musicfs.origin." + originType;
    }

    /**
     * Removes the factory configurations of origins that are no longer in {@code settings} (a
     * reload that dropped an origin): its service goes away and the catalog drops its tracks.
     *
     * @return the ids of the origins removed
     */
    static java.util.List<String> removeUnconfiguredOrigins(ConfigurationAdmin admin, Settings settings)
            throws IOException, org.osgi.framework.InvalidSyntaxException {
        java.util.Set<String> keep = new java.util.HashSet<>();
        settings.origins().forEach(o -> keep.add(factoryPid(o.type()) + " " + o.id()));
        java.util.List<String> removed = new java.util.ArrayList<>();
        Configuration[] all = admin.listConfigurations("(service.factoryPid=musicfs.origin.*)");
        for (Configuration configuration : all == null ? new Configuration[0] : all) {
            Object id = configuration.getProperties() == null ? null : configuration.getProperties().get("origin.id");
            if (id != null && !keep.contains(configuration.getFactoryPid() + " " + id)) {
                configuration.delete();
                removed.add(id.toString());
            }
        }
        return removed;
    }

    /** Updates a configuration only when its properties change: an update with equal values would still restart the component. */
    private static void update(Configuration configuration, Dictionary<String, Object> properties) throws IOException {
        Dictionary<String, Object> current = configuration.getProperties();
        if (current != null && sameValues(current, properties)) {
            return;
        }
        configuration.update(properties);
    }

    private static boolean sameValues(Dictionary<String, Object> current, Dictionary<String, Object> next) {
        int known = 0;
        for (java.util.Enumeration<String> keys = current.keys(); keys.hasMoreElements();) {
            String key = keys.nextElement();
            if (key.startsWith("service.") || key.startsWith("felix.")) {
                continue;
            }
            known++;
            if (!java.util.Objects.deepEquals(current.get(key), next.get(key))) {
                return false;
            }
        }
        return known == next.size();
    }
}
