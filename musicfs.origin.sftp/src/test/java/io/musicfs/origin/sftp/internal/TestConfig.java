package io.musicfs.origin.sftp.internal;

import io.musicfs.testkit.servers.SshdServer;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * An {@link SftpOrigin.Config} as Declarative Services would make it: the given values, the
 * declared defaults for the rest.
 */
final class TestConfig {

    private final Map<String, Object> values = new HashMap<>();

    /** A config for an origin on the test server: its user key and a known_hosts file trusting it. */
    static TestConfig of(String id, SshdServer server, Path knownHosts, Path path) {
        return new TestConfig()
                .set("origin_id", id)
                .set("host", server.host())
                .set("port", server.port())
                .set("path", path.toString())
                .set("privateKeyFile", new String[] {server.userKey().toString()})
                .set("knownHostsFile", knownHosts.toString());
    }

    /** @param attribute the method name ({@code origin_id}, {@code maxSessions}) */
    TestConfig set(String attribute, Object value) {
        values.put(attribute, value);
        return this;
    }

    SftpOrigin.Config build() {
        Map<String, Object> snapshot = Map.copyOf(values);
        return (SftpOrigin.Config) Proxy.newProxyInstance(SftpOrigin.Config.class.getClassLoader(),
                new Class<?>[] {SftpOrigin.Config.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "annotationType":
                            return SftpOrigin.Config.class;
                        case "toString":
                            return "TestConfig" + snapshot;
                        case "hashCode":
                            return System.identityHashCode(proxy);
                        case "equals":
                            return proxy == args[0];
                        default:
                            if (snapshot.containsKey(method.getName())) {
                                return snapshot.get(method.getName());
                            }
                            if (method.getDefaultValue() == null) {
                                throw new IllegalStateException("the test config has no " + method.getName());
                            }
                            return method.getDefaultValue();
                    }
                });
    }

    /** Activates an origin with this config and no passphrase in the environment. */
    SftpOrigin activate() {
        SftpOrigin origin = new SftpOrigin();
        origin.activate(build(), name -> null);
        return origin;
    }
}
