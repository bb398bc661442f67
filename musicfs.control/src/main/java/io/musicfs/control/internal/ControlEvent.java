package io.musicfs.control.internal;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;

/**
 * One MusicFS event as the API, the status page and webhooks show it.
 *
 * @param id a number that grows with every event since start
 * @param time when the control bundle received it
 * @param type the Event Admin topic without its {@code io/musicfs/} prefix, for example {@code library/SYNC_FINISHED}
 * @param origin the origin the event is about, or {@code null}
 * @param properties the event's properties (numbers, booleans and text)
 */
record ControlEvent(long id, Instant time, String type, String origin, Map<String, Object> properties) {

    static final String TOPIC_PREFIX = "io/musicfs/";

    static ControlEvent of(long id, Instant time, Event event) {
        String topic = event.getTopic();
        String type = topic.startsWith(TOPIC_PREFIX) ? topic.substring(TOPIC_PREFIX.length()) : topic;
        Map<String, Object> properties = new TreeMap<>();
        for (String name : event.getPropertyNames()) {
            if (name.equals(EventConstants.EVENT_TOPIC)) {
                continue;
            }
            Object value = event.getProperty(name);
            properties.put(name, value instanceof Number || value instanceof Boolean || value == null ? value : value.toString());
        }
        Object origin = properties.get("origin");
        return new ControlEvent(id, time, type, origin == null ? null : origin.toString(), properties);
    }

    /** @return the event as JSON-ready maps */
    Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("id", id);
        map.put("time", time.toString());
        map.put("type", type);
        map.put("origin", origin);
        map.put("properties", properties);
        return map;
    }

    /**
     * Which events a subscriber wants.
     *
     * @param type a type or a prefix of one at a {@code /} ({@code library} or {@code library/SYNC_FINISHED}),
     *        any case; {@code null} for all
     * @param origin an origin id; {@code null} for all
     */
    record Filter(String type, String origin) {

        static final Filter ALL = new Filter(null, null);

        boolean accepts(ControlEvent event) {
            if (origin != null && !origin.equals(event.origin())) {
                return false;
            }
            if (type == null) {
                return true;
            }
            String wanted = type.toLowerCase(Locale.ROOT);
            String actual = event.type().toLowerCase(Locale.ROOT);
            return actual.equals(wanted) || actual.startsWith(wanted.endsWith("/") ? wanted : wanted + "/");
        }
    }
}
