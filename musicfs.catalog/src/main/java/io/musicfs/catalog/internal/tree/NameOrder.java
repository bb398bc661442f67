package io.musicfs.catalog.internal.tree;

import java.util.Comparator;

/**
 * What "the same name ignoring case" means in the tree, and the order children are listed in:
 * case-folded code points first (so {@code abba} sorts before {@code Zappa} and case variants sit
 * together), then exact code points, so the order is total and a binary search finds an exact
 * name. Folding is per code point ({@code toLowerCase(toUpperCase(cp))}), locale-independent, so
 * {@code ς}, {@code σ} and {@code Σ} are one letter. Stateless; safe from any thread.
 */
final class NameOrder implements Comparator<String> {

    static final NameOrder INSTANCE = new NameOrder();

    private NameOrder() {
    }

    /** @return the case-folded name; equal keys mean the same name ignoring case. The same instance when already folded. */
    static String key(String name) {
        StringBuilder out = null;
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            int folded = fold(cp);
            if (out == null && folded != cp) {
                out = new StringBuilder(name.length()).append(name, 0, i);
            }
            if (out != null) {
                out.appendCodePoint(folded);
            }
            i += Character.charCount(cp);
        }
        return out == null ? name : out.toString();
    }

    @Override
    public int compare(String a, String b) {
        int byFolded = compare(a, b, true);
        return byFolded != 0 ? byFolded : compare(a, b, false);
    }

    /** Unicode code point order; {@link String#compareTo} differs from it above U+FFFF. */
    static int compareCodePoints(String a, String b) {
        return compare(a, b, false);
    }

    private static int compare(String a, String b, boolean folded) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ia = a.charAt(i);
            char jb = b.charAt(j);
            if (ia < 0x80 && jb < 0x80) {
                // most names are ASCII: no code point decoding, no Character tables
                int fa = folded ? fold(ia) : ia;
                int fb = folded ? fold(jb) : jb;
                if (fa != fb) {
                    return fa - fb;
                }
                i++;
                j++;
                continue;
            }
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            int fa = folded ? fold(ca) : ca;
            int fb = folded ? fold(cb) : cb;
            if (fa != fb) {
                return Integer.compare(fa, fb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }

    private static int fold(int cp) {
        return cp < 0x80
                ? (cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp)
                : Character.toLowerCase(Character.toUpperCase(cp));
    }
}
