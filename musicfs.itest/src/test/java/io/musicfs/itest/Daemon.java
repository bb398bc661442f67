package io.musicfs.itest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The real MusicFS daemon in a child process, started from the exported runtime jar exactly as
 * the {@code musicfs} script starts it. Collects everything the process prints, so a test can
 * wait for a line and a failure shows the daemon's log.
 */
final class Daemon implements AutoCloseable {

    static final Path JAR = Path.of(System.getProperty("musicfs.jar", "../musicfs.run/target/musicfs.jar")).toAbsolutePath();
    static final Path ROOT = Path.of(System.getProperty("musicfs.root", "..")).toAbsolutePath().normalize();

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final Thread pump;

    private Daemon(Process process) {
        this.process = process;
        this.pump = new Thread(this::pump, "daemon-output-" + process.pid());
        pump.setDaemon(true);
        pump.start();
    }

    /** Starts {@code java @daemon.jvm -jar musicfs.jar ARGS}, behind the command {@code prefix} if one is given. */
    static Daemon start(List<String> args, String... prefix) throws IOException {
        return start(args, java.util.Map.of(), prefix);
    }

    /** Starts {@code java -jar musicfs.jar ARGS} with extra environment variables. */
    static Daemon start(List<String> args, java.util.Map<String, String> env, String... prefix) throws IOException {
        return start(List.of(), args, env, prefix);
    }

    /** Starts {@code java JVM_OPTIONS -jar musicfs.jar ARGS} (for example system properties that switch on fault points). */
    static Daemon start(List<String> jvmOptions, List<String> args, java.util.Map<String, String> env, String... prefix) throws IOException {
        List<String> command = new ArrayList<>(List.of(prefix));
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Djava.util.logging.config.file=" + ROOT.resolve("musicfs.run/conf/logging.properties"));
        command.add("-Dlogback.configurationFile=" + ROOT.resolve("musicfs.run/conf/logback.xml"));
        command.add("@" + ROOT.resolve("musicfs.run/conf/daemon.jvm")); // the daemon's JVM options, as shipped
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(JAR.toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        return new Daemon(builder.start());
    }

    private void pump() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // the process ended
        } finally {
            synchronized (lines) {
                lines.notifyAll();
            }
        }
    }

    /** Waits for a line matching {@code test}; fails with the output so far when the deadline passes or the process ends. */
    String awaitLine(Predicate<String> test, long timeoutSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        int seen = 0;
        synchronized (lines) {
            while (true) {
                for (; seen < lines.size(); seen++) {
                    if (test.test(lines.get(seen))) {
                        return lines.get(seen);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && !pump.isAlive())) {
                    throw new AssertionError("the daemon did not print the expected line within " + timeoutSeconds
                            + " s (alive: " + process.isAlive() + "); output:\n" + output());
                }
                TimeUnit.NANOSECONDS.timedWait(lines, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
            }
        }
    }

    /** Waits until the daemon serves its mount. */
    void awaitServing() throws InterruptedException {
        awaitLine(line -> line.startsWith("musicfs: serving "), 180);
    }

    /** Waits for the process to end and returns its exit code; fails after the deadline. */
    int awaitExit(long timeoutSeconds) throws InterruptedException {
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            throw new AssertionError("the daemon did not exit within " + timeoutSeconds + " s; output:\n" + output());
        }
        pump.join(TimeUnit.SECONDS.toMillis(5));
        return process.exitValue();
    }

    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    String output() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Writes the daemon's output beside the test reports, for a person looking at a failure. */
    void saveOutput(String name) throws IOException {
        Path dir = Path.of("target", "daemon-logs");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(name + ".log"), output());
    }
}
