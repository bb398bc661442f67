package io.musicfs.control.internal;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.musicfs.api.cache.CacheAdmin;
import io.musicfs.api.health.HealthMonitor;
import io.musicfs.api.library.Library;
import io.musicfs.api.mount.Mount;
import io.musicfs.api.origin.Origin;
import io.musicfs.api.supervision.Lifecycle;
import io.musicfs.api.supervision.Supervisor;

import jakarta.servlet.Servlet;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's owner: makes the HTTP listener listen where configured (loopback by default),
 * holds the token, registers the API and the status page on the servlet whiteboard, collects
 * MusicFS events, and tells the CLI where it listens ({@code control.json} next to the token).
 *
 * <p>Every daemon service is an optional dynamic reference: the API answers what it can and names
 * what is missing. Threads: Event Admin calls {@link #handleEvent}; servlet threads read the
 * volatile references; one announcer thread waits for the listener; an executor runs long
 * operations. All of them end in {@link #deactivate}. Immediate: as a mere event handler it would
 * otherwise only start with the next event, and the API must listen as soon as it is configured.
 */
@Component(service = EventHandler.class, immediate = true, configurationPid = ControlServer.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = EventConstants.EVENT_TOPIC + "=io/musicfs/*")
@Designate(ocd = ControlServer.Config.class)
public class ControlServer implements EventHandler, Services {

    static final String PID = "musicfs.control";
    /** Felix HTTP Jetty's configuration: this component decides where the one HTTP listener of the daemon listens */
    static final String HTTP_PID = "org.apache.felix.http";
    static final String TOKEN_FILE = "control.token";
    static final String ENDPOINT_FILE = "control.json";
    /** how long the listener may take to answer after it was configured */
    private static final long LISTENER_TIMEOUT_MILLIS = 30_000;

    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);

    @ObjectClassDefinition(name = "MusicFS control API", description = "The loopback HTTP API, the status page and where the CLI finds them")
    public @interface Config {
        @AttributeDefinition(description = "address to listen on; loopback unless you mean to open the API to the network")
        String address() default "127.0.0.1";

        @AttributeDefinition(description = "TCP port; 0 takes any free port (the CLI finds it in control.json)")
        int port() default 0;

        @AttributeDefinition(description = "folder for control.token (mode 0600) and control.json: the cache folder")
        String stateDir();
    }

    /** A checked configuration. */
    record Settings(InetAddress address, int port, Path stateDir) {

        static Settings of(Config config) {
            String text = config.address() == null ? "" : config.address().strip();
            InetAddress address;
            try {
                if (text.isEmpty() || !text.matches("[0-9a-fA-F:.]+|localhost")) {
                    throw new UnknownHostException(text);
                }
                address = InetAddress.getByName(text);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("control address: '" + text + "' is not an IP address (for example 127.0.0.1)");
            }
            if (config.port() < 0 || config.port() > 65535) {
                throw new IllegalArgumentException("control port: " + config.port() + " is not a TCP port (0 to 65535; 0 takes any free port)");
            }
            if (config.stateDir() == null || config.stateDir().isBlank()) {
                throw new IllegalArgumentException("control stateDir: not set (the folder for control.token and control.json)");
            }
            return new Settings(address, config.port(), Path.of(config.stateDir()));
        }
    }

    @Reference
    private ConfigurationAdmin configurationAdmin;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile Library library;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile Mount mount;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile CacheAdmin cache;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile HealthMonitor health;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile Lifecycle lifecycle;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile Supervisor supervisor;
    @Reference(service = Origin.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private volatile List<ServiceReference<Origin>> originRefs;
    @Reference(service = Webhook.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private volatile List<Webhook> webhookList;

    private final Clock clock = Clock.systemUTC();
    private final EventHub events = new EventHub(clock);
    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();
    private ExecutorService work;
    private ApiServlet api;
    private Thread announcer;
    private Settings settings;
    private String version;
    private Path endpointFile;

    @Activate
    void activate(BundleContext context, Config config) throws IOException {
        settings = Settings.of(config);
        version = context.getBundle().getVersion().toString();
        Files.createDirectories(settings.stateDir());
        AccessToken token = AccessToken.load(settings.stateDir().resolve(TOKEN_FILE));
        int port = settings.port() != 0 ? settings.port() : freePort(settings.address());
        URI base = URI.create("http://" + hostInUri(settings.address()) + ":" + port + "/");
        listen(settings.address(), port);

        work = Executors.newCachedThreadPool(threads("musicfs-control-work"));
        Access access = new Access(token);
        api = new ApiServlet(this, events, access, work, new StatusReport(this, clock));
        registrations.add(context.registerService(Servlet.class, api, servletProperties("musicfs.control.api", "/api/*")));
        registrations.add(context.registerService(Servlet.class, new StatusPageServlet(access),
                servletProperties("musicfs.control.status", "/status")));

        endpointFile = settings.stateDir().resolve(ENDPOINT_FILE);
        announcer = new Thread(() -> announce(base), "musicfs-control-announce");
        announcer.setDaemon(true);
        announcer.start();
    }

    @Deactivate
    void deactivate() {
        if (announcer != null) {
            announcer.interrupt();
        }
        for (ServiceRegistration<?> registration : registrations) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework is stopping
            }
        }
        registrations.clear();
        if (api != null) {
            api.close();
        }
        if (work != null) {
            work.shutdownNow();
        }
        try {
            if (endpointFile != null) {
                Files.deleteIfExists(endpointFile);
            }
        } catch (IOException e) {
            LOG.warn("control: cannot remove {}: {}; the CLI will find nothing listening there", endpointFile, e.getMessage());
        }
    }

    @Override
    public void handleEvent(Event event) {
        events.publish(event);
    }

    /** Points Felix HTTP Jetty at the address and port; it (re)starts its connector when the configuration changes. */
    private void listen(InetAddress address, int port) throws IOException {
        Configuration http = configurationAdmin.getConfiguration(HTTP_PID, "?");
        Dictionary<String, Object> current = http.getProperties();
        Hashtable<String, Object> wanted = new Hashtable<>();
        wanted.put("org.apache.felix.http.enable", Boolean.TRUE);
        wanted.put("org.apache.felix.https.enable", Boolean.FALSE);
        wanted.put("org.apache.felix.http.host", address.getHostAddress());
        wanted.put("org.osgi.service.http.port", port);
        wanted.put("org.apache.felix.http.jetty.sendServerHeader", Boolean.FALSE);
        wanted.put("org.apache.felix.http.name", "musicfs");
        if (current == null || !sameValues(current, wanted)) {
            http.update(wanted);
        }
    }

    private static boolean sameValues(Dictionary<String, Object> current, Map<String, Object> wanted) {
        for (Map.Entry<String, Object> entry : wanted.entrySet()) {
            if (!entry.getValue().equals(current.get(entry.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** Waits until the API answers at {@code base}, then writes control.json for the CLI. */
    private void announce(URI base) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LISTENER_TIMEOUT_MILLIS);
        while (!Thread.currentThread().isInterrupted()) {
            if (answers(base.resolve("api/status"))) {
                try {
                    writeEndpoint(base);
                    LOG.info("control API listening at {}api (token in {}); status page: {}status", base,
                            settings.stateDir().resolve(TOKEN_FILE), base);
                } catch (IOException e) {
                    LOG.error("control: cannot write {}: {}; the CLI cannot find the daemon", endpointFile, e.getMessage());
                }
                return;
            }
            if (System.nanoTime() > deadline) {
                LOG.error("control API: nothing answers at {} {} s after it was configured; is the port taken? The CLI cannot reach "
                        + "this daemon", base, LISTENER_TIMEOUT_MILLIS / 1000);
                return;
            }
            try {
                Thread.sleep(100); // polling the listener, not synchronising with it: no event tells when Jetty is up
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** @return whether our API servlet answers (a request without the token gets 401 only from it) */
    private static boolean answers(URI uri) {
        try {
            HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
            connection.setConnectTimeout(1000);
            connection.setReadTimeout(2000);
            try {
                return connection.getResponseCode() == 401;
            } finally {
                connection.disconnect();
            }
        } catch (IOException notYet) {
            return false;
        }
    }

    private void writeEndpoint(URI base) throws IOException {
        Map<String, Object> endpoint = new LinkedHashMap<>();
        endpoint.put("url", base.toString());
        endpoint.put("pid", ProcessHandle.current().pid());
        endpoint.put("tokenFile", settings.stateDir().resolve(TOKEN_FILE).toString());
        endpoint.put("version", version);
        Path tmp = endpointFile.resolveSibling(ENDPOINT_FILE + ".tmp");
        Files.writeString(tmp, Json.write(endpoint) + "\n");
        Files.move(tmp, endpointFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static int freePort(InetAddress address) throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(address, 0));
            return socket.getLocalPort();
        }
    }

    private static String hostInUri(InetAddress address) {
        String host = address.getHostAddress();
        return host.contains(":") ? "[" + host + "]" : host;
    }

    private static Hashtable<String, Object> servletProperties(String name, String pattern) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("osgi.http.whiteboard.servlet.name", name);
        props.put("osgi.http.whiteboard.servlet.pattern", pattern);
        return props;
    }

    private static ThreadFactory threads(String name) {
        AtomicInteger n = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + n.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    // Services: what the API reads

    @Override
    public Library library() {
        return library;
    }

    @Override
    public Mount mount() {
        return mount;
    }

    @Override
    public CacheAdmin cache() {
        return cache;
    }

    @Override
    public HealthMonitor health() {
        return health;
    }

    @Override
    public Lifecycle lifecycle() {
        return lifecycle;
    }

    @Override
    public Supervisor supervisor() {
        return supervisor;
    }

    @Override
    public List<OriginService> origins() {
        List<ServiceReference<Origin>> refs = originRefs;
        List<OriginService> origins = new ArrayList<>();
        if (refs != null) {
            for (ServiceReference<Origin> ref : refs) {
                Object id = ref.getProperty(Origin.PROP_ID);
                Object type = ref.getProperty(Origin.PROP_TYPE);
                Object priority = ref.getProperty(Origin.PROP_PRIORITY);
                if (id != null) {
                    origins.add(new OriginService(id.toString(), type == null ? null : type.toString(),
                            priority instanceof Number n ? n.intValue() : Integer.MAX_VALUE));
                }
            }
        }
        origins.sort(Comparator.comparingInt(OriginService::priority).thenComparing(OriginService::id));
        return origins;
    }

    @Override
    public List<Map<String, Object>> webhooks() {
        List<Webhook> hooks = webhookList;
        return hooks == null ? List.of() : hooks.stream().map(Webhook::describe).toList();
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public Instant started() {
        return Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());
    }
}
