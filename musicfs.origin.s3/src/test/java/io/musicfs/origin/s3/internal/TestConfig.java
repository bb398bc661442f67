package io.musicfs.origin.s3.internal;

import java.lang.annotation.Annotation;
import java.net.URI;
import java.nio.file.Path;

/** An {@link S3Origin.Config} as Configuration Admin would give it: the declared defaults unless set. */
final class TestConfig implements S3Origin.Config {

    String id = "s3-test";
    int priority = 10;
    String bucket;
    String prefix = "";
    String endpoint = "";
    String region = "us-east-1";
    String pathStyle = "auto";
    String credentialsFile = "";
    String profile = "";
    int requestTimeoutSeconds = 30;
    int maxConnections = 8;

    static TestConfig of(String id, String bucket) {
        TestConfig config = new TestConfig();
        config.id = id;
        config.bucket = bucket;
        return config;
    }

    TestConfig endpoint(URI endpoint) {
        this.endpoint = endpoint.toString();
        return this;
    }

    TestConfig endpoint(String endpoint) {
        this.endpoint = endpoint;
        return this;
    }

    TestConfig prefix(String prefix) {
        this.prefix = prefix;
        return this;
    }

    TestConfig credentials(Path file) {
        this.credentialsFile = file.toString();
        return this;
    }

    TestConfig profile(String profile) {
        this.profile = profile;
        return this;
    }

    TestConfig timeout(int seconds) {
        this.requestTimeoutSeconds = seconds;
        return this;
    }

    TestConfig connections(int connections) {
        this.maxConnections = connections;
        return this;
    }

    /** @return an activated origin; the caller deactivates it */
    S3Origin activate() {
        S3Origin origin = new S3Origin();
        origin.activate(this);
        return origin;
    }

    @Override
    public Class<? extends Annotation> annotationType() {
        return S3Origin.Config.class;
    }

    @Override
    public String origin_id() {
        return id;
    }

    @Override
    public int origin_priority() {
        return priority;
    }

    @Override
    public String bucket() {
        return bucket;
    }

    @Override
    public String prefix() {
        return prefix;
    }

    @Override
    public String endpoint() {
        return endpoint;
    }

    @Override
    public String region() {
        return region;
    }

    @Override
    public String pathStyle() {
        return pathStyle;
    }

    @Override
    public String credentialsFile() {
        return credentialsFile;
    }

    @Override
    public String profile() {
        return profile;
    }

    @Override
    public int requestTimeoutSeconds() {
        return requestTimeoutSeconds;
    }

    @Override
    public int maxConnections() {
        return maxConnections;
    }
}
