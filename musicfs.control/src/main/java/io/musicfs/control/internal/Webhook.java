package io.musicfs.control.internal;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One configured webhook: MusicFS events of the chosen types are POSTed as JSON to its URL, signed
 * with {@code X-MusicFS-Signature: sha256=<hex HMAC-SHA256 of the body>} under its secret.
 *
 * <p>Event Admin's thread only offers the event to a bounded queue; this webhook's own thread
 * delivers, retrying failed deliveries with exponential backoff. When the queue is full the event
 * is dropped, counted and logged (at most once a minute). The secret is never logged or shown, and
 * the URL is shown without user info or query (they may hold credentials).
 */
@Component(service = {EventHandler.class, Webhook.class}, immediate = true, configurationPid = Webhook.FACTORY_PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, property = EventConstants.EVENT_TOPIC + "=io/musicfs/*")
@Designate(ocd = Webhook.Config.class, factory = true)
public class Webhook implements EventHandler {

    static final String FACTORY_PID = "musicfs.control.webhook";
    /** the longest wait between two attempts */
    static final long MAX_BACKOFF_MILLIS = 60_000;
    /** at most one "dropped" or "gave up" warning per webhook per this interval */
    static final long WARN_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private static final Logger LOG = LoggerFactory.getLogger(Webhook.class);

    @ObjectClassDefinition(name = "MusicFS webhook", description = "A URL that receives MusicFS events as signed JSON POSTs")
    public @interface Config {
        @AttributeDefinition(description = "the webhook's name, for logs and status")
        String name();

        @AttributeDefinition(description = "http or https URL the events are POSTed to")
        String url();

        /** a leading underscore makes the property private (".secret"): it is not copied into service properties */
        @AttributeDefinition(type = AttributeType.PASSWORD, description = "the HMAC-SHA256 key of X-MusicFS-Signature")
        String _secret();

        @AttributeDefinition(description = "event types to send (library, health/ORIGIN_HEALTH, ...); empty: all")
        String[] events() default {};

        @AttributeDefinition(description = "events waiting for delivery before new ones are dropped")
        int queueSize() default 1000;

        @AttributeDefinition(description = "delivery attempts per event, the first included")
        int attempts() default 6;

        @AttributeDefinition(description = "the first retry's delay; each next one doubles, up to a minute")
        long retryDelayMillis() default 1000;

        @AttributeDefinition(description = "how long one POST may take")
        long timeoutMillis() default 10_000;
    }

    /** A checked configuration. */
    record Settings(String name, URI url, byte[] secret, List<ControlEvent.Filter> filters, int queueSize, int attempts,
            long retryDelayMillis, Duration timeout) {

        static Settings of(Config config) {
            String name = config.name() == null || config.name().isBlank() ? "webhook" : config.name().strip();
            String where = "webhook " + name + ": ";
            URI url;
            try {
                url = URI.create(config.url() == null ? "" : config.url().strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + "url: not a URL");
            }
            if (url.getScheme() == null || !url.getScheme().matches("https?") || url.getHost() == null) {
                throw new IllegalArgumentException(where + "url: '" + redact(url) + "' is not an http or https URL");
            }
            if (config._secret() == null || config._secret().isEmpty()) {
                throw new IllegalArgumentException(where + "secret: not set (the key receivers check X-MusicFS-Signature with)");
            }
            List<ControlEvent.Filter> filters = new ArrayList<>();
            for (String type : config.events() == null ? new String[0] : config.events()) {
                for (String one : type.split(",")) {
                    if (!one.isBlank()) {
                        filters.add(new ControlEvent.Filter(one.strip(), null));
                    }
                }
            }
            if (config.queueSize() < 1) {
                throw new IllegalArgumentException(where + "queueSize: " + config.queueSize() + " is not 1 or more");
            }
            if (config.attempts() < 1) {
                throw new IllegalArgumentException(where + "attempts: " + config.attempts() + " is not 1 or more");
            }
            if (config.retryDelayMillis() < 0 || config.timeoutMillis() < 1) {
                throw new IllegalArgumentException(where + "retryDelayMillis and timeoutMillis must be positive");
            }
            return new Settings(name, url, config._secret().getBytes(StandardCharsets.UTF_8), List.copyOf(filters), config.queueSize(),
                    config.attempts(), config.retryDelayMillis(), Duration.ofMillis(config.timeoutMillis()));
        }

        boolean wants(ControlEvent event) {
            return filters.isEmpty() || filters.stream().anyMatch(f -> f.accepts(event));
        }

        @Override
        public String toString() {
            return "Webhook.Settings[" + name + " " + redact(url) + ", secret redacted]";
        }
    }

    private final Clock clock = Clock.systemUTC();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    /** guarded by itself: when the last "dropped" warning was logged, and how many drops it did not report yet */
    private final long[] dropWarning = {0, 0};
    private Settings settings;
    private BlockingQueue<ControlEvent> queue;
    private HttpClient client;
    private Thread sender;
    private volatile boolean stopped;

    @Activate
    void activate(Config config) {
        start(Settings.of(config));
    }

    void start(Settings checked) {
        settings = checked;
        queue = new ArrayBlockingQueue<>(settings.queueSize());
        client = HttpClient.newBuilder().connectTimeout(settings.timeout()).followRedirects(HttpClient.Redirect.NEVER).build();
        sender = new Thread(this::deliverAll, "musicfs-webhook-" + settings.name());
        sender.setDaemon(true);
        sender.start();
        LOG.info("webhook {}: sending {} events to {}", settings.name(),
                settings.filters().isEmpty() ? "all" : settings.filters().stream().map(ControlEvent.Filter::type).toList(), redact(settings.url()));
    }

    @Deactivate
    void deactivate() {
        stopped = true;
        if (sender != null) {
            sender.interrupt();
            try {
                sender.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        int left = queue == null ? 0 : queue.size();
        if (left > 0) {
            LOG.info("webhook {}: stopped with {} events not delivered", settings.name(), left);
        }
    }

    @Override
    public void handleEvent(Event event) {
        offer(ControlEvent.of(ids.incrementAndGet(), clock.instant(), event));
    }

    /** Queues an event for delivery; never blocks. */
    void offer(ControlEvent event) {
        if (stopped || !settings.wants(event)) {
            return;
        }
        if (!queue.offer(event)) {
            dropped.incrementAndGet();
            warnDropped();
        }
    }

    private void warnDropped() {
        long now = System.nanoTime();
        long unreported;
        synchronized (dropWarning) {
            dropWarning[1]++;
            if (dropWarning[0] != 0 && now - dropWarning[0] < WARN_INTERVAL_NANOS) {
                return;
            }
            dropWarning[0] = now;
            unreported = dropWarning[1];
            dropWarning[1] = 0;
        }
        LOG.warn("webhook {}: delivery queue full ({} events waiting for {}); dropped {} events since the last warning, {} in all",
                settings.name(), settings.queueSize(), redact(settings.url()), unreported, dropped.get());
    }

    private void deliverAll() {
        long lastGiveUpWarning = 0;
        long unreportedGiveUps = 0;
        while (!stopped) {
            ControlEvent event;
            try {
                event = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            String outcome;
            try {
                outcome = deliver(event);
            } catch (InterruptedException e) {
                return;
            }
            if (outcome == null) {
                delivered.incrementAndGet();
                continue;
            }
            failed.incrementAndGet();
            unreportedGiveUps++;
            long now = System.nanoTime();
            if (lastGiveUpWarning == 0 || now - lastGiveUpWarning >= WARN_INTERVAL_NANOS) {
                LOG.warn("webhook {}: gave up on event {} ({}) for {}: {}; {} events given up since the last warning",
                        settings.name(), event.id(), event.type(), redact(settings.url()), outcome, unreportedGiveUps);
                lastGiveUpWarning = now;
                unreportedGiveUps = 0;
            }
        }
    }

    /**
     * POSTs one event, retrying connection failures, 5xx and 429 answers with backoff.
     *
     * @return {@code null} when delivered, else why it was given up
     */
    String deliver(ControlEvent event) throws InterruptedException {
        byte[] body = Json.write(event.toMap()).getBytes(StandardCharsets.UTF_8);
        String signature = "sha256=" + sign(settings.secret(), body);
        String why = null;
        for (int attempt = 1; attempt <= settings.attempts() && !stopped; attempt++) {
            if (attempt > 1) {
                retries.incrementAndGet();
                Thread.sleep(backoffMillis(settings.retryDelayMillis(), attempt)); // the retry delay itself, not a synchronisation
            }
            HttpRequest request = HttpRequest.newBuilder(settings.url()).timeout(settings.timeout())
                    .header("Content-Type", "application/json")
                    .header("X-MusicFS-Signature", signature)
                    .header("X-MusicFS-Event", event.type())
                    .header("X-MusicFS-Delivery", Long.toString(event.id()))
                    .header("X-MusicFS-Attempt", Integer.toString(attempt))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            try {
                int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status >= 200 && status < 300) {
                    return null;
                }
                why = "HTTP " + status;
                if (status < 500 && status != 429 && status != 408) {
                    return why + " (not retried: the receiver refused the event)";
                }
            } catch (IOException e) {
                why = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            }
            LOG.debug("webhook {}: attempt {} of event {} failed: {}", settings.name(), attempt, event.id(), why);
        }
        return why + " after " + settings.attempts() + " attempts";
    }

    /** The wait before {@code attempt} (2 or more): the first delay, doubled for each attempt after, at most a minute. */
    static long backoffMillis(long first, int attempt) {
        long delay = first << Math.min(attempt - 2, 20);
        return Math.min(delay, MAX_BACKOFF_MILLIS);
    }

    /** @return the lowercase hex HMAC-SHA256 of {@code body} under {@code secret} */
    static String sign(byte[] secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return java.util.HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    /** A URL as it may be shown: without user info, query or fragment. */
    static String redact(URI url) {
        if (url == null || url.getHost() == null) {
            return "(not a URL)";
        }
        return url.getScheme().toLowerCase(Locale.ROOT) + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
                + (url.getRawPath() == null ? "" : url.getRawPath()) + (url.getRawQuery() == null ? "" : "?...");
    }

    /** @return this webhook as status shows it (no secret) */
    Map<String, Object> describe() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", settings.name());
        map.put("url", redact(settings.url()));
        map.put("events", settings.filters().isEmpty() ? List.of("all") : settings.filters().stream().map(ControlEvent.Filter::type).toList());
        map.put("queued", queue.size());
        map.put("delivered", delivered.get());
        map.put("retries", retries.get());
        map.put("failed", failed.get());
        map.put("dropped", dropped.get());
        return map;
    }
}
