package io.musicfs.run.internal.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class ProgressViewTest {

    @Test
    void barWithCountsAndRateWhenTheTotalIsKnown() {
        ProgressView view = ProgressView.counting(new PrintStream(new ByteArrayOutputStream()), true, "chunks");
        assertEquals("[###############               ]  50% 50 / 100 chunks, 25 chunks/s", view.line(50, 100, 2.0));
        assertEquals("40 files, 20 files/s", ProgressView.counting(System.out, false, "files").line(40, -1, 2.0));
        assertEquals("[##############################] 100% 2.0 MiB / 2.0 MiB, 1.0 MiB/s",
                ProgressView.bytes(System.out, true).line(2 << 20, 2 << 20, 2.0));
    }

    @Test
    void aTerminalGetsOneRedrawnLineAPipeGetsPlainLines() {
        ByteArrayOutputStream terminal = new ByteArrayOutputStream();
        ProgressView redrawn = ProgressView.counting(new PrintStream(terminal, true, StandardCharsets.UTF_8), true, "files");
        redrawn.update(1, 10);
        redrawn.update(2, 10);
        redrawn.finish();
        String shown = terminal.toString(StandardCharsets.UTF_8);
        assertEquals(2, shown.chars().filter(c -> c == '\r').count());
        assertEquals(1, shown.chars().filter(c -> c == '\n').count());

        ByteArrayOutputStream pipe = new ByteArrayOutputStream();
        ProgressView plain = ProgressView.counting(new PrintStream(pipe, true, StandardCharsets.UTF_8), false, "files");
        plain.update(1, 10);
        plain.update(2, 10);
        plain.finish();
        String lines = pipe.toString(StandardCharsets.UTF_8);
        assertTrue(lines.startsWith("[###"), lines);
        assertEquals(1, lines.lines().count(), "at most a line a second: " + lines);
        assertTrue(!lines.contains("\r"));
    }
}
