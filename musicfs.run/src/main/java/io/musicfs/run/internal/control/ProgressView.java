package io.musicfs.run.internal.control;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongFunction;

/**
 * Shows a long operation's progress: on a terminal one line redrawn in place with a bar, the
 * counts and the rate; otherwise (a pipe, a log) a plain line at most once a second.
 */
final class ProgressView {

    private static final int WIDTH = 30;
    private static final long PLAIN_INTERVAL_NANOS = 1_000_000_000L;

    private final PrintStream out;
    private final boolean terminal;
    private final String unit;
    private final LongFunction<String> format;
    private final long start = System.nanoTime();
    private long lastPlain;
    private boolean drawn;

    ProgressView(PrintStream out, boolean terminal, String unit, LongFunction<String> format) {
        this.out = out;
        this.terminal = terminal;
        this.unit = unit;
        this.format = format;
    }

    static ProgressView counting(PrintStream out, boolean terminal, String unit) {
        return new ProgressView(out, terminal, unit, Long::toString);
    }

    static ProgressView bytes(PrintStream out, boolean terminal) {
        return new ProgressView(out, terminal, "", ProgressView::formatBytes);
    }

    void update(long done, long total) {
        long now = System.nanoTime();
        String line = line(done, total, (now - start) / 1e9);
        if (terminal) {
            out.print("\r" + line + "\u001b[K");
            out.flush();
            drawn = true;
        } else if (now - lastPlain >= PLAIN_INTERVAL_NANOS) {
            lastPlain = now;
            out.println(line);
        }
    }

    /** Ends the redrawn line so what follows starts on its own. */
    void finish() {
        if (drawn) {
            out.println();
            drawn = false;
        }
    }

    String line(long done, long total, double seconds) {
        double rate = seconds > 0 ? done / seconds : 0;
        String counts = format.apply(done) + (total >= 0 ? " / " + format.apply(total) : "") + (unit.isEmpty() ? "" : " " + unit);
        String speed = format.apply(Math.round(rate)) + (unit.isEmpty() ? "" : " " + unit) + "/s";
        if (total > 0) {
            int filled = (int) Math.min(WIDTH, WIDTH * done / total);
            return "[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + String.format(Locale.ROOT, "%3d%% ", 100 * done / total)
                    + counts + ", " + speed;
        }
        return counts + ", " + speed;
    }

    static String formatBytes(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int i = 0;
        while (value >= 1024 && i < units.length - 1) {
            value /= 1024;
            i++;
        }
        return i == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", value, units[i]);
    }
}
