package io.musicfs.run.internal;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks the settings against the machine before anything starts, so mistakes surface as one clear line. */
final class StartupChecks {

    private StartupChecks() {
    }

    static void check(Settings settings, Path home) throws StartupException {
        for (OriginSpec origin : settings.origins()) {
            if (origin.type().equals("local")) {
                checkFolder(origin, Path.of(origin.properties().get("path")), home);
            }
        }
        checkCache(settings.cacheDir(), home);
    }

    private static void checkFolder(OriginSpec origin, Path folder, Path home) throws StartupException {
        String shown = Paths.show(folder, home);
        if (!Files.exists(folder)) {
            throw new StartupException("origin '" + origin.id() + "': folder " + shown + " does not exist");
        }
        if (!Files.isDirectory(folder)) {
            throw new StartupException("origin '" + origin.id() + "': " + shown + " is not a folder");
        }
        if (!Files.isReadable(folder) || !Files.isExecutable(folder)) {
            throw new StartupException("origin '" + origin.id() + "': folder " + shown + " is not readable (permission denied)");
        }
    }

    static void checkCache(Path cache, Path home) throws StartupException {
        String shown = Paths.show(cache, home);
        try {
            Files.createDirectories(cache);
        } catch (FileSystemException e) {
            throw new StartupException("cache folder " + shown + " cannot be created: " + reason(e));
        } catch (IOException e) {
            throw new StartupException("cache folder " + shown + " cannot be created: " + e.getMessage());
        }
        if (!Files.isDirectory(cache)) {
            throw new StartupException("cache folder " + shown + " is not a folder");
        }
        try {
            Path probe = Files.createTempFile(cache, ".write-check", "");
            Files.delete(probe);
        } catch (AccessDeniedException e) {
            throw new StartupException("cache folder " + shown + " is not writable (permission denied); fix its owner or mode, "
                    + "or choose another with --cache");
        } catch (FileSystemException e) {
            throw new StartupException("cache folder " + shown + " is not writable: " + reason(e));
        } catch (IOException e) {
            throw new StartupException("cache folder " + shown + " is not writable: " + e.getMessage());
        }
    }

    private static String reason(FileSystemException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
    }
}
