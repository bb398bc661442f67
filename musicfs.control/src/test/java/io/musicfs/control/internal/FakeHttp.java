package io.musicfs.control.internal;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** Just enough of a servlet request and response to call the servlets directly, without a container. */
final class FakeHttp {

    private FakeHttp() {
    }

    static HttpServletRequest request(String method, String pathInfo, Map<String, String> headers, Map<String, String> params, String body,
            Cookie... cookies) {
        return (HttpServletRequest) Proxy.newProxyInstance(FakeHttp.class.getClassLoader(), new Class<?>[] {HttpServletRequest.class},
                (proxy, m, args) -> switch (m.getName()) {
                    case "getMethod" -> method;
                    case "getPathInfo" -> pathInfo;
                    case "getHeader" -> headers.get((String) args[0]);
                    case "getParameter" -> params.get((String) args[0]);
                    case "getCookies" -> cookies.length == 0 ? null : cookies;
                    case "getReader" -> new BufferedReader(new StringReader(body == null ? "" : body));
                    case "toString" -> method + " " + pathInfo;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    static HttpServletRequest call(String method, String pathInfo, String token, Map<String, String> params, String body) {
        return request(method, pathInfo, token == null ? Map.of() : Map.of("Authorization", "Bearer " + token), params, body);
    }

    /** A response that records what the servlet set and wrote. */
    static final class Response {
        int status = 200;
        final Map<String, List<String>> headers = new LinkedHashMap<>();
        String contentType;
        final StringWriter body = new StringWriter();
        private final PrintWriter writer = new PrintWriter(body);

        HttpServletResponse proxy() {
            return (HttpServletResponse) Proxy.newProxyInstance(FakeHttp.class.getClassLoader(), new Class<?>[] {HttpServletResponse.class},
                    (proxy, m, args) -> {
                        switch (m.getName()) {
                            case "setStatus" -> status = (Integer) args[0];
                            case "getStatus" -> {
                                return status;
                            }
                            case "setContentType" -> contentType = (String) args[0];
                            case "setCharacterEncoding" -> {
                                // always UTF-8 here
                            }
                            case "setHeader" -> headers.put((String) args[0], new ArrayList<>(List.of((String) args[1])));
                            case "addHeader" -> headers.computeIfAbsent((String) args[0], k -> new ArrayList<>()).add((String) args[1]);
                            case "getWriter" -> {
                                return writer;
                            }
                            case "isCommitted" -> {
                                return false;
                            }
                            default -> throw new UnsupportedOperationException(m.getName());
                        }
                        return null;
                    });
        }

        String header(String name) {
            List<String> values = headers.get(name);
            return values == null ? null : values.get(0);
        }

        String body() {
            writer.flush();
            return body.toString();
        }
    }
}
