package dev.berth.builds.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.builds.run.BuildFailure;
import dev.berth.builds.run.BuildsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * The credential Berth pushes images with, read afresh for every build so a rotated password applies without a
 * restart. Either {@code berth.builds.registry.username}/{@code password} (environment variables, typically filled
 * from a Kubernetes Secret with {@code secretKeyRef}), or {@code berth.builds.registry.auth-file}: a Docker config
 * JSON file such as the {@code .dockerconfigjson} key of a {@code kubernetes.io/dockerconfigjson} Secret mounted into
 * Berth's pod. Neither: pushes are anonymous.
 */
@ApplicationScoped
public class RegistryAuth {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BuildsConfig config;

    @Inject
    public RegistryAuth(BuildsConfig config) {
        this.config = config;
    }

    /** A user name and password (or token) for the registry. */
    public record Credential(String username, String password) {
        @Override
        public String toString() {
            return "Credential[" + username + ", ****]";
        }
    }

    /** The credential for the configured registry host, or empty for anonymous pushes. */
    public Optional<Credential> credential() {
        BuildsConfig.Registry r = config.registry();
        if (r.username().isPresent() && !r.username().get().isBlank()) {
            return Optional.of(new Credential(r.username().get(), r.password().orElse("")));
        }
        if (r.authFile().isEmpty() || r.authFile().get().isBlank()) {
            return Optional.empty();
        }
        Path file = Path.of(r.authFile().get());
        if (!Files.exists(file)) {
            throw new BuildFailure("the registry auth file " + file + " does not exist (berth.builds.registry.auth-file; "
                    + "is its Secret mounted?)");
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BuildFailure("the registry auth file " + file + " cannot be read (berth.builds.registry.auth-file): "
                    + e.getClass().getSimpleName());
        }
        return Optional.of(fromDockerConfig(text, r.host(), file.toString()));
    }

    /** Docker config JSON with the credential for the registry host only ({@code {"auths":{}}} when anonymous). */
    public String dockerConfigJson() {
        return credential().map(c -> dockerConfigJson(config.registry().host(), c)).orElse("{\"auths\":{}}");
    }

    static String dockerConfigJson(String host, Credential c) {
        String auth = Base64.getEncoder().encodeToString((c.username() + ":" + c.password()).getBytes(StandardCharsets.UTF_8));
        return JSON.createObjectNode().set("auths", JSON.createObjectNode().set(host,
                JSON.createObjectNode().put("auth", auth))).toString();
    }

    /**
     * The entry for {@code host} in a Docker config JSON ({@code auths} keyed by host, optionally with a scheme and
     * path as older tools wrote them; {@code auth} = base64 of user:password, or {@code username} + {@code password}).
     * Failures name the file and the host, never a secret.
     */
    static Credential fromDockerConfig(String json, String host, String source) {
        JsonNode auths;
        try {
            auths = JSON.readTree(json).path("auths");
        } catch (IOException e) {
            throw new BuildFailure("the registry auth file " + source + " is not valid JSON (expected a Docker config "
                    + "with \"auths\")");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = auths.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!host.equals(hostOf(e.getKey()))) {
                continue;
            }
            JsonNode entry = e.getValue();
            if (entry.hasNonNull("auth")) {
                String decoded;
                try {
                    decoded = new String(Base64.getDecoder().decode(entry.get("auth").asText().trim()), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException bad) {
                    throw new BuildFailure("the entry for " + host + " in " + source + " has an \"auth\" that is not base64");
                }
                int colon = decoded.indexOf(':');
                if (colon <= 0) {
                    throw new BuildFailure("the entry for " + host + " in " + source + " has an \"auth\" that is not "
                            + "base64 of user:password");
                }
                return new Credential(decoded.substring(0, colon), decoded.substring(colon + 1));
            }
            if (entry.hasNonNull("username")) {
                return new Credential(entry.get("username").asText(), entry.path("password").asText(""));
            }
            throw new BuildFailure("the entry for " + host + " in " + source + " has neither \"auth\" nor \"username\"");
        }
        throw new BuildFailure("the registry auth file " + source + " has no entry for the registry " + host
                + " (berth.builds.registry.host)");
    }

    /** {@code https://host:5000/v1/} → {@code host:5000}. */
    static String hostOf(String key) {
        String k = key.trim();
        int scheme = k.indexOf("://");
        if (scheme >= 0) {
            k = k.substring(scheme + 3);
        }
        int slash = k.indexOf('/');
        return slash >= 0 ? k.substring(0, slash) : k;
    }
}
