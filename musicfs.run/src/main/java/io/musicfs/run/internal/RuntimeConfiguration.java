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
    static final String LOCAL_ORIGIN_FACTORY = "musicfs.origin.local";

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
    }

    static String factoryPid(String originType) {
        return "musicfs.origin." + originType;
    }

    private static void update(Configuration configuration, Dictionary<String, Object> properties) throws IOException {
        configuration.update(properties);
    }
}
