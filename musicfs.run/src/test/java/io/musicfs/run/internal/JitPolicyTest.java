package io.musicfs.run.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.function.LongUnaryOperator;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/**
 * The policy applied to this test JVM: a hot method of ours ends compiled by C1 (level 1) and never
 * by C2 (level 4), while the JDK's cipher code still gets C2. Compilation runs in the background, so
 * each test keeps running its code until the JVM's code list shows the outcome.
 */
class JitPolicyTest {

    private static final long DEADLINE_NANOS = 60_000_000_000L;

    @BeforeAll
    static void applyPolicy() {
        assertTrue(JitPolicy.apply(JitPolicy.DIRECTIVES), "the JVM took the directives");
    }

    @AfterAll
    static void removePolicy() throws Exception {
        for (int i = 0; i < 2; i++) { // the policy pushed two directives; later tests in this JVM compile as usual
            JitPolicy.diagnosticCommand("compilerDirectivesRemove");
        }
    }

    /** An xorshift round, hot enough in a loop to be compiled at every level HotSpot has. */
    static long scramble(long x) {
        for (int i = 0; i < 40; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        return x;
    }

    @Test
    void ourCodeIsCompiledByC1AndNeverByC2() throws Exception {
        String method = JitPolicyTest.class.getName() + ".scramble(J)J";
        int level = runUntilCompiled(method, x -> scramble(x), List.of(1, 4));
        assertEquals(1, level, method + " ends C1-compiled without profiling, not C2-compiled");
    }

    @Test
    void theJdkCipherCodeIsStillCompiledByC2() throws Exception {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        SecretKeySpec key = new SecretKeySpec(new byte[16], "AES");
        byte[] block = new byte[1024];
        int level = runUntilCompiled("com.sun.crypto.provider.", seed -> {
            try {
                byte[] iv = new byte[12];
                iv[0] = (byte) seed;
                iv[1] = (byte) (seed >> 8);
                cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
                return cipher.doFinal(block).length + seed;
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }, List.of(4));
        assertEquals(4, level, "some method of the JDK's cipher provider is C2-compiled");
    }

    @Test
    void aRefusedPolicyIsOneWarningThatSaysWhatTheJvmAnswered() {
        Logger logger = (Logger) LoggerFactory.getLogger(JitPolicy.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            assertFalse(JitPolicy.apply("[ { match: \"*.*\", c2: { NoSuchOption: true } } ]"));
        } finally {
            logger.detachAppender(lines);
        }
        assertEquals(1, lines.list.size(), "one line: " + lines.list);
        ILoggingEvent line = lines.list.get(0);
        assertEquals(Level.WARN, line.getLevel());
        String message = line.getFormattedMessage();
        assertTrue(message.contains("NoSuchOption") && message.contains("C2") && message.contains("compiles everything"), message);
    }

    /**
     * Runs {@code code} in rounds until a live compiled version of a method whose name starts with
     * {@code method} is at one of the {@code levels}.
     *
     * @return the level found
     */
    private static int runUntilCompiled(String method, LongUnaryOperator code, List<Integer> levels) throws Exception {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        long sink = 1;
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 20_000; i++) {
                sink = code.applyAsLong(sink);
            }
            for (String line : JitPolicy.diagnosticCommand("compilerCodelist").split("\n")) {
                // "id level state name(signature) [addresses]"; state 0: in use
                String[] fields = line.trim().split(" ");
                if (fields.length >= 4 && fields[3].startsWith(method) && fields[2].equals("0")
                        && levels.contains(Integer.parseInt(fields[1]))) {
                    return Integer.parseInt(fields[1]);
                }
            }
        }
        fail(method + " was not compiled at level " + levels + " within a minute (" + sink + ")");
        return -1;
    }
}
