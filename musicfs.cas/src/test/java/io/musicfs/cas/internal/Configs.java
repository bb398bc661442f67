package io.musicfs.cas.internal;

import java.lang.reflect.Proxy;
import java.util.Map;

/** A component configuration as SCR builds it: the given values, else the declared defaults. */
final class Configs {

    private Configs() {
    }

    static CachedContentReader.Config config(Map<String, ?> values) {
        return (CachedContentReader.Config) Proxy.newProxyInstance(Configs.class.getClassLoader(),
                new Class<?>[] {CachedContentReader.Config.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "annotationType" -> CachedContentReader.Config.class;
                    case "toString" -> "Config" + values;
                    case "hashCode" -> values.hashCode();
                    case "equals" -> proxy == args[0];
                    default -> values.containsKey(method.getName()) ? values.get(method.getName()) : method.getDefaultValue();
                });
    }
}
