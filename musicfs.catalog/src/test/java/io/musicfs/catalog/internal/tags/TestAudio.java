package io.musicfs.catalog.internal.tags;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Test-only: real tagged audio made with the encoders installed on this machine (sox, flac, lame,
 * oggenc, opusenc, ffmpeg), plus a small ID3v2 writer for exact control of frames (TCMP, v2.3 vs
 * v2.4, encodings) that no installed tool writes. The shared corpus generator in musicfs.testkit
 * replaces this once it exists.
 */
public final class TestAudio {

    private TestAudio() {
    }

    /** A PCM WAV source of {@code seconds}; noise makes lossless files big (no compression). */
    public static Path sourceWav(Path dir, String name, double seconds, boolean noise) throws IOException {
        Path out = dir.resolve(name);
        run("sox", "-n", "-r", "44100", "-c", "2", "-b", "16", out.toString(), "synth", String.valueOf(seconds),
                noise ? "whitenoise" : "sine", noise ? "" : "440");
        return out;
    }

    /** FLAC via {@code flac -T KEY=value}. */
    public static Path flac(Path source, Path out, String... tags) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("flac", "-s", "-f", "--no-padding"));
        for (String t : tags) {
            cmd.add("-T");
            cmd.add(t);
        }
        cmd.addAll(List.of("-o", out.toString(), source.toString()));
        run(cmd.toArray(String[]::new));
        return out;
    }

    /** Ogg Vorbis via {@code oggenc -c KEY=value}. */
    public static Path oggVorbis(Path source, Path out, String... tags) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("oggenc", "-Q", "-q", "1"));
        for (String t : tags) {
            cmd.add("-c");
            cmd.add(t);
        }
        cmd.addAll(List.of("-o", out.toString(), source.toString()));
        run(cmd.toArray(String[]::new));
        return out;
    }

    /** Opus via {@code opusenc --comment KEY=value}. */
    public static Path opus(Path source, Path out, String... tags) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("opusenc", "--quiet", "--bitrate", "32"));
        for (String t : tags) {
            cmd.add("--comment");
            cmd.add(t);
        }
        cmd.addAll(List.of(source.toString(), out.toString()));
        run(cmd.toArray(String[]::new));
        return out;
    }

    /** An MP3 without any tag (lame writes only its Xing/LAME info frame). */
    public static Path mp3Bare(Path source, Path out, int kbps) throws IOException {
        run("lame", "--quiet", "-b", String.valueOf(kbps), "--cbr", source.toString(), out.toString());
        return out;
    }

    /** An MP3 with only an ID3v1 tag, written by lame. */
    public static Path mp3Id3v1(Path source, Path out, String title, String artist, String album, String year,
            String track, String genre) throws IOException {
        run("lame", "--quiet", "-b", "64", "--id3v1-only", "--tt", title, "--ta", artist, "--tl", album, "--ty", year,
                "--tn", track, "--tg", genre, source.toString(), out.toString());
        return out;
    }

    /** An MP3 whose ID3v2 tag (version 3 or 4) holds exactly the given text frames, ahead of a bare MP3. */
    public static Path mp3Id3v2(Path bareMp3, Path out, int version, Map<String, String> frames, byte[]... extraFrames)
            throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.write(id3v2(version, frames, 256, extraFrames));
        file.write(Files.readAllBytes(bareMp3));
        Files.write(out, file.toByteArray());
        return out;
    }

    /** Anything ffmpeg makes: {@code codecArgs} like {@code -c:a aac}; metadata keys as ffmpeg names them. */
    public static Path ffmpeg(Path source, Path out, List<String> codecArgs, Map<String, String> metadata)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-v", "error", "-y", "-i", source.toString()));
        cmd.addAll(codecArgs);
        metadata.forEach((k, v) -> {
            cmd.add("-metadata");
            cmd.add(k + "=" + v);
        });
        cmd.add(out.toString());
        run(cmd.toArray(String[]::new));
        return out;
    }

    /** An ID3v2.3 or v2.4 tag: text frames in UTF-16 (v2.3) or UTF-8 (v2.4), then raw extra frames, then padding. */
    public static byte[] id3v2(int version, Map<String, String> frames, int padding, byte[]... extraFrames) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        frames.forEach((id, text) -> {
            byte[] content;
            if (version == 4) {
                content = concat(new byte[] {3}, text.getBytes(StandardCharsets.UTF_8));
            } else {
                content = concat(new byte[] {1}, text.getBytes(StandardCharsets.UTF_16)); // with BOM
            }
            body.writeBytes(frame(version, id, content));
        });
        for (byte[] f : extraFrames) {
            body.writeBytes(f);
        }
        body.writeBytes(new byte[padding]);
        byte[] b = body.toByteArray();
        ByteArrayOutputStream tag = new ByteArrayOutputStream();
        tag.writeBytes(new byte[] {'I', 'D', '3', (byte) version, 0, 0});
        tag.writeBytes(syncsafe(b.length));
        tag.writeBytes(b);
        return tag.toByteArray();
    }

    /** One ID3v2 frame with the given raw content (version 2: three-letter ids, three-byte sizes, no flags). */
    public static byte[] frame(int version, String id, byte[] content) {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.writeBytes(id.getBytes(StandardCharsets.US_ASCII));
        if (version == 2) {
            int n = content.length;
            f.writeBytes(new byte[] {(byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
            f.writeBytes(content);
            return f.toByteArray();
        }
        if (version == 4) {
            f.writeBytes(syncsafe(content.length));
        } else {
            int n = content.length;
            f.writeBytes(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
        }
        f.writeBytes(new byte[] {0, 0});
        f.writeBytes(content);
        return f.toByteArray();
    }

    /** An APIC frame carrying {@code size} bytes of (fake) JPEG. */
    public static byte[] apic(int version, int size) {
        byte[] head = concat(new byte[] {0}, "image/jpeg".getBytes(StandardCharsets.US_ASCII), new byte[] {0, 3, 0});
        byte[] data = new byte[size];
        new java.util.Random(7).nextBytes(data);
        data[0] = (byte) 0xFF;
        data[1] = (byte) 0xD8;
        return frame(version, "APIC", concat(head, data));
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] syncsafe(int n) {
        return new byte[] {(byte) ((n >>> 21) & 0x7F), (byte) ((n >>> 14) & 0x7F), (byte) ((n >>> 7) & 0x7F),
            (byte) (n & 0x7F)};
    }

    public static void run(String... command) throws IOException {
        List<String> cmd = new ArrayList<>(Arrays.asList(command));
        cmd.removeIf(String::isEmpty);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + cmd, e);
        }
    }
}
