package io.musicfs.control.internal;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Who may call: a request carries the token as {@code Authorization: Bearer TOKEN}, or, for reads
 * only (GET), in the status page's cookie. Commands (POST) always need the header, so a page of
 * another site cannot make the browser send one, whatever the cookie policy of that browser.
 */
final class Access {

    static final String COOKIE = "musicfs_token";

    private final AccessToken token;

    Access(AccessToken token) {
        this.token = token;
    }

    boolean allows(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return token.matches(header.substring(7));
        }
        if (!"GET".equals(request.getMethod()) || request.getCookies() == null) {
            return false;
        }
        for (Cookie cookie : request.getCookies()) {
            if (COOKIE.equals(cookie.getName()) && token.matches(cookie.getValue())) {
                return true;
            }
        }
        return false;
    }

    boolean matches(String presented) {
        return token.matches(presented);
    }
}
