package io.musicfs.control.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The status page at {@code /status}: one HTML page whose script reads {@code /api/status} and the
 * event stream. A browser cannot put the token in an {@code Authorization} header of an
 * {@code EventSource}, so the page signs in once (the token in {@code ?token=} or the sign-in form)
 * and gets it back as an {@code HttpOnly; SameSite=Strict} cookie, then a redirect drops the token
 * from the address bar. The cookie only opens reads ({@link Access}).
 */
final class StatusPageServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final transient Access access;
    private final String page;

    StatusPageServlet(Access access) throws IOException {
        this.access = access;
        try (InputStream in = StatusPageServlet.class.getResourceAsStream("/static/status.html")) {
            if (in == null) {
                throw new IOException("the status page is missing from the control bundle (static/status.html)");
            }
            this.page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String token = request.getParameter("token");
        if (token != null) {
            signIn(token, response);
            return;
        }
        if (!access.allows(request)) {
            signInPage(response, false);
            return;
        }
        headers(response);
        response.setContentType("text/html");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(page);
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        signIn(request.getParameter("token"), response);
    }

    private void signIn(String token, HttpServletResponse response) throws IOException {
        if (!access.matches(token)) {
            signInPage(response, true);
            return;
        }
        response.addHeader("Set-Cookie", Access.COOKIE + "=" + token.strip() + "; Path=/; HttpOnly; SameSite=Strict");
        response.setStatus(303);
        response.setHeader("Location", "/status");
    }

    private static void signInPage(HttpServletResponse response, boolean wrong) throws IOException {
        headers(response);
        response.setStatus(401);
        response.setContentType("text/html");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write("<!doctype html><html><head><meta charset=utf-8><title>MusicFS: sign in</title></head><body>"
                + "<h1>MusicFS</h1>" + (wrong ? "<p id=error>That is not the token of this daemon.</p>" : "")
                + "<p>Paste the token from the daemon's <code>control.token</code> file (in its cache folder).</p>"
                + "<form method=post action=/status><input name=token type=password autofocus size=70> <button>Sign in</button></form>"
                + "</body></html>");
    }

    private static void headers(HttpServletResponse response) {
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader("Referrer-Policy", "no-referrer");
        response.setHeader("X-Content-Type-Options", "nosniff");
    }
}
