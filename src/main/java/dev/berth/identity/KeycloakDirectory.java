package dev.berth.identity;

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
import java.time.Instant;
import java.util.Optional;

/**
 * Looks users up with Keycloak's admin REST API ({@code GET /admin/realms/{realm}/users?username=&exact=true}, then
 * {@code ?email=}), authenticated as the service account of Berth's own client (client credentials grant). The
 * service account needs the {@code realm-management} client roles {@code view-users} and {@code query-users};
 * the example realm grants them.
 */
public class KeycloakDirectory implements Directory {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final String tokenUrl;
    private final String usersUrl;
    private final String clientId;
    private final String secret;
    private String token;
    private Instant tokenExpires = Instant.EPOCH;

    /** {@code realmUrl} is the OIDC issuer, e.g. {@code https://sso.example.com/realms/berth}. */
    KeycloakDirectory(String realmUrl, String clientId, String secret) {
        String base = realmUrl.endsWith("/") ? realmUrl.substring(0, realmUrl.length() - 1) : realmUrl;
        int at = base.lastIndexOf("/realms/");
        if (at < 0) {
            throw new IllegalArgumentException("the OIDC URL " + realmUrl + " is not a Keycloak realm URL (.../realms/<realm>)");
        }
        this.tokenUrl = base + "/protocol/openid-connect/token";
        this.usersUrl = base.substring(0, at) + "/admin/realms/" + base.substring(at + "/realms/".length()) + "/users";
        this.clientId = clientId;
        this.secret = secret;
    }

    @Override
    public Optional<User> find(String usernameOrEmail) {
        if (usernameOrEmail == null || usernameOrEmail.isBlank()) {
            return Optional.empty();
        }
        String ref = usernameOrEmail.trim();
        Optional<User> byName = search("username", ref);
        return byName.isPresent() || !ref.contains("@") ? byName : search("email", ref);
    }

    private Optional<User> search(String attribute, String value) {
        JsonNode users = get(usersUrl + "?exact=true&briefRepresentation=true&" + attribute + "="
                + URLEncoder.encode(value, StandardCharsets.UTF_8));
        for (JsonNode u : users) {
            // exact=true already matches exactly; Keycloak compares user names and addresses case-insensitively.
            if (u.path("enabled").asBoolean(true) && value.equalsIgnoreCase(u.path(attribute).asText())) {
                return Optional.of(new User(u.path("id").asText(), u.path("username").asText(),
                        u.path("email").isMissingNode() ? null : u.path("email").asText()));
            }
        }
        return Optional.empty();
    }

    private JsonNode get(String url) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token()).header("Accept", "application/json").GET().build();
        return send(request, "user search");
    }

    private synchronized String token() {
        if (token == null || Instant.now().isAfter(tokenExpires)) {
            String form = "grant_type=client_credentials&client_id=" + URLEncoder.encode(clientId, StandardCharsets.UTF_8)
                    + "&client_secret=" + URLEncoder.encode(secret, StandardCharsets.UTF_8);
            JsonNode answer = send(HttpRequest.newBuilder(URI.create(tokenUrl)).timeout(TIMEOUT)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), "service account login");
            token = answer.path("access_token").asText();
            // Renew a little early, so a token never expires between this check and its use.
            tokenExpires = Instant.now().plusSeconds(Math.max(5, answer.path("expires_in").asLong(60) - 10));
        }
        return token;
    }

    private JsonNode send(HttpRequest request, String what) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new DirectoryUnavailable("Keycloak " + what + " answered " + response.statusCode());
            }
            return json.readTree(response.body());
        } catch (IOException e) {
            throw new DirectoryUnavailable("Keycloak " + what + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DirectoryUnavailable("interrupted during the Keycloak " + what);
        }
    }

    /** The identity provider could not be asked; Berth then refuses the change instead of guessing. */
    public static class DirectoryUnavailable extends RuntimeException {
        DirectoryUnavailable(String message) {
            super(message);
        }
    }
}
