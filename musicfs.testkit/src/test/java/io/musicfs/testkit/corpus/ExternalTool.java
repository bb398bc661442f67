package io.musicfs.testkit.corpus;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the independent command-line readers the tests check generated files with. */
final class ExternalTool {

    private ExternalTool() {
    }

    /** The result of one run: exit status and the combined output. */
    record Run(int exitCode, String output) {
    }

    /** Skips the calling test when {@code tool} is not installed. */
    static void assumeInstalled(String tool) {
        assumeTrue(installed(tool), tool + " is not installed");
    }

    static boolean installed(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Paths.get(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    static Run run(List<String> command) throws IOException, InterruptedException {
        Path output = Files.createTempFile("musicfs-tool", ".out");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                    .start();
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IOException("timed out: " + command);
            }
            return new Run(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }

    static Run run(String... command) throws IOException, InterruptedException {
        return run(List.of(command));
    }

    /** Runs {@code tool fixedArgs... file...} over {@code files} in batches (one process per batch). */
    static Run runOver(List<String> toolAndArgs, List<Path> files) throws IOException, InterruptedException {
        StringBuilder output = new StringBuilder();
        int exit = 0;
        for (int from = 0; from < files.size(); from += 200) {
            List<String> command = new ArrayList<>(toolAndArgs);
            files.subList(from, Math.min(files.size(), from + 200)).forEach(f -> command.add(f.toString()));
            Run run = run(command);
            exit = Math.max(exit, run.exitCode());
            output.append(run.output());
        }
        return new Run(exit, output.toString());
    }
}
