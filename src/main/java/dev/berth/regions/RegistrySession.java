package dev.berth.regions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The reads of one image lookup in one repository of a v2 registry: answers a login challenge once (HTTP Basic, or a
 * bearer token from the challenge's realm) and keeps the result for the lookup's further requests, and follows
 * redirects (blob storage often lives elsewhere) without handing the registry's credential to another host.
 */
final class RegistrySession {
    private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    private static final int MAX_REDIRECTS = 3;
    private final HttpClient http;
    private final String base;
    private final String repository;
    private final boolean insecure;
    private final Duration timeout;
    private final Optional<RegistryImageInspector.Credentials> credentials;
    private final ObjectMapper json;
    private String authorization;
    private boolean loggedIn;

    RegistrySession(HttpClient http, String base, String repository, boolean insecure, Duration timeout,
            Optional<RegistryImageInspector.Credentials> credentials, ObjectMapper json) {
        this.http = http;
        this.base = base;
        this.repository = repository;
        this.insecure = insecure;
        this.timeout = timeout;
        this.credentials = credentials;
        this.json = json;
    }

    /** GET {@code /v2/<repository><path>}, logging in when the registry asks to. */
    HttpResponse<byte[]> get(String path, String accept) throws IOException, InterruptedException {
        URI uri = URI.create(base + "/v2/" + repository + path);
        HttpResponse<byte[]> r = follow(uri, accept);
        if (r.statusCode() == 401 && !loggedIn) {
            loggedIn = true;
            authorization = login(r.headers().firstValue("WWW-Authenticate").orElse(""));
            if (authorization != null) {
                r = follow(uri, accept);
            }
        }
        return r;
    }

    private HttpResponse<byte[]> follow(URI uri, String accept) throws IOException, InterruptedException {
        URI at = uri;
        HttpResponse<byte[]> r = send(at, accept, authorization);
        for (int i = 0; i < MAX_REDIRECTS && r.statusCode() / 100 == 3 && r.headers().firstValue("Location").isPresent(); i++) {
            URI next = at.resolve(r.headers().firstValue("Location").get());
            if (!"https".equals(next.getScheme()) && !(insecure && "http".equals(next.getScheme()))) {
                return r; // never down to plain HTTP from a registry that is not marked insecure
            }
            boolean sameHost = next.getAuthority() != null && next.getAuthority().equalsIgnoreCase(uri.getAuthority());
            at = next;
            r = send(at, accept, sameHost ? authorization : null);
        }
        return r;
    }

    private HttpResponse<byte[]> send(URI uri, String accept, String auth) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout).GET().header("Accept", accept);
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The Authorization header the challenge asks for, or null when it cannot be met. */
    private String login(String challenge) throws IOException, InterruptedException {
        String scheme = challenge.trim().split("\\s+", 2)[0];
        if (scheme.equalsIgnoreCase("Basic")) {
            return credentials.map(RegistrySession::basic).orElse(null);
        }
        if (!scheme.equalsIgnoreCase("Bearer")) {
            return null;
        }
        Map<String, String> params = new HashMap<>();
        Matcher m = PARAM.matcher(challenge);
        while (m.find()) {
            params.put(m.group(1).toLowerCase(java.util.Locale.ROOT), m.group(2));
        }
        String realm = params.get("realm");
        if (realm == null) {
            return null;
        }
        StringBuilder url = new StringBuilder(realm).append(realm.contains("?") ? '&' : '?');
        if (params.containsKey("service")) {
            url.append("service=").append(encode(params.get("service"))).append('&');
        }
        url.append("scope=").append(encode(params.getOrDefault("scope", "repository:" + repository + ":pull")));
        URI token = URI.create(url.toString());
        boolean mayCarry = "https".equals(token.getScheme()) || (insecure && "http".equals(token.getScheme()));
        if (!mayCarry && !"http".equals(token.getScheme())) {
            return null;
        }
        HttpResponse<byte[]> r = send(token, "application/json",
                mayCarry ? credentials.map(RegistrySession::basic).orElse(null) : null);
        if (r.statusCode() != 200) {
            return null;
        }
        JsonNode body = json.readTree(r.body());
        String value = body.path("token").asText(body.path("access_token").asText(""));
        return value.isEmpty() ? null : "Bearer " + value;
    }

    static String basic(RegistryImageInspector.Credentials c) {
        return "Basic " + Base64.getEncoder().encodeToString((c.username() + ":" + c.password())
                .getBytes(StandardCharsets.UTF_8));
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
