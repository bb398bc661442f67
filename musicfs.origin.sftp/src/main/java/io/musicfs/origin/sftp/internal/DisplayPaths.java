package io.musicfs.origin.sftp.internal;

import java.nio.file.Path;

/** Local paths as logs and errors show them: {@code $HOME} shortened to {@code ~}. */
final class DisplayPaths {

    private DisplayPaths() {
    }

    static String shorten(Path path) {
        String home = System.getProperty("user.home");
        String text = path.toString();
        if (home != null && !home.isEmpty() && !home.equals("/")) {
            if (text.equals(home)) {
                return "~";
            }
            if (text.startsWith(home + "/")) {
                return "~" + text.substring(home.length());
            }
        }
        return text;
    }
}
