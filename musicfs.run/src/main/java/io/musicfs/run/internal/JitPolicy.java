package io.musicfs.run.internal;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps HotSpot's optimising compiler (C2) to the code where its speed shows: the ciphers, MACs and
 * digests of the JDK's providers (SFTP's AES-GCM, S3's request signing). Every other method stays
 * compiled by C1, whose compilations take a fraction of a millisecond.
 *
 * <p>Why: a C2 compilation runs for milliseconds on one core, and the daemon's first hours are full
 * of them (Derby, MINA SSHD, the HTTP client all become hot while the library is read). On a
 * two-core machine a read whose next step is another process (the SFTP or S3 server on the same
 * machine, the player woken by the reply) waits for that core until the compiler's time slice
 * ends, up to a scheduler tick: SCHED_IDLE ({@link IdleThreads}) yields the core only to the
 * daemon's own threads, not to another process's (their task groups are compared, not the threads).
 * Measured ({@code bench/remote-bench.sh}, running daemon, open + first 64 KiB of uncached tracks):
 * p99 2.7 and 4.0 ms over S3, 2.1 and 4.2 ms over SFTP in two runs, where C2 compiling everything
 * gave 4.8 and 5.1 (rclone mount of the same servers: 3.5-5.2 ms); the cold 64 MB read got
 * faster, not slower (C1's code is not what limits it, the cipher is), and so did the scan
 * ({@code bench/mount-bench.sh}).
 *
 * <p>Applied through the HotSpot diagnostic command {@code Compiler.directives_add}, which needs no
 * diagnostic VM options; methods compiled before (the framework's start) keep their code. A JVM
 * without it (not HotSpot) keeps compiling everything with C2, which is said once.
 * {@code -Dmusicfs.jit.c2=all} leaves C2 to compile everything (to compare).
 */
final class JitPolicy {

    private static final Logger LOG = LoggerFactory.getLogger(JitPolicy.class);
    /** system property: {@code all} lets C2 compile every method */
    static final String PROPERTY = "musicfs.jit.c2";
    /** the class patterns C2 still compiles, in the directives' syntax */
    static final String C2_CLASSES = "\"com/sun/crypto/provider/*.*\", \"sun/security/provider/*.*\"";
    /** the directives: the first that matches a method decides for C2; C1 keeps its defaults */
    static final String DIRECTIVES = "[\n"
            + "  { match: [" + C2_CLASSES + "], c2: { Exclude: false } },\n"
            + "  { match: \"*.*\", c2: { Exclude: true } }\n"
            + "]\n";
    private static final String DIAGNOSTIC_COMMAND = "com.sun.management:type=DiagnosticCommand";

    private JitPolicy() {
    }

    /** Applies the policy unless {@code -Dmusicfs.jit.c2=all}; says in one line what it did. */
    static void apply() {
        if ("all".equals(System.getProperty(PROPERTY))) {
            LOG.info("jit: C2 compiles every method (-D{}=all)", PROPERTY);
            return;
        }
        apply(DIRECTIVES);
    }

    /** @return whether the JVM took the directives (a refusal is logged) */
    static boolean apply(String directives) {
        String refusal;
        try {
            String answer = addDirectives(directives).strip();
            if (answer.matches("(?s)[1-9][0-9]* compiler directives? added.*")) {
                LOG.info("jit: the optimising compiler (C2) now compiles only the JDK's ciphers and digests; the rest stays "
                        + "C1-compiled, so no long compilation holds a core a read needs");
                return true;
            }
            refusal = "the JVM answered: " + answer.replace('\n', ' ');
        } catch (IOException | JMException | RuntimeException e) {
            refusal = e.toString();
        }
        LOG.warn("jit: could not keep the optimising compiler (C2) to ciphers and digests ({}); it compiles everything, "
                + "and on a busy machine a read may wait a few ms behind a compilation", refusal);
        return false;
    }

    /**
     * Pushes directives on the JVM's directive stack.
     *
     * @return the command's answer ("N compiler directives added" when it worked)
     */
    static String addDirectives(String json) throws IOException, JMException {
        Path file = Files.createTempFile("musicfs-jit-", ".json"); // the command reads a file
        try {
            Files.writeString(file, json);
            return diagnosticCommand("compilerDirectivesAdd", file.toString());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Runs a HotSpot diagnostic command (as jcmd would) and returns its output. */
    static String diagnosticCommand(String operation, String... arguments) throws JMException {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Object answer = server.invoke(new ObjectName(DIAGNOSTIC_COMMAND), operation, new Object[] {arguments},
                new String[] {String[].class.getName()});
        return String.valueOf(answer);
    }
}
