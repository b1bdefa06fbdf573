package dev.berth.builds.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.tools.jib.registry.credentials.DockerConfigCredentialRetriever;
import dev.berth.builds.run.BuildFailure;
import dev.berth.builds.run.BuildsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
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
        if (!Files.isReadable(file)) {
            throw new BuildFailure("the registry auth file " + file
                    + " cannot be read (berth.builds.registry.auth-file)");
        }
        return Optional.of(fromDockerConfig(file, r.host()));
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
     * The credential for {@code host} in a Docker config JSON file, read by Jib's own reader (the one its Maven and
     * Gradle plugins use): {@code auths} keyed by host, also with a scheme and path as older tools wrote them, and
     * Docker Hub's aliases; {@code auth} = base64 of user:password, or {@code username} + {@code password}; a
     * {@code credHelpers} / {@code credsStore} entry runs that Docker credential helper. Failures name the file and
     * the host, never a secret.
     */
    static Credential fromDockerConfig(Path file, String host) {
        Optional<com.google.cloud.tools.jib.api.Credential> found;
        try {
            found = DockerConfigCredentialRetriever.create(host, file).retrieve(event -> {
            });
            if (found.isEmpty()) {
                // Jib matches "host" and "https://host/..."; a registry served over plain HTTP is often keyed
                // "http://host/v2/", which Jib finds when asked for that prefix.
                found = DockerConfigCredentialRetriever.create("http://" + host, file).retrieve(event -> {
                });
            }
        } catch (IOException e) {
            throw new BuildFailure("the registry auth file " + file + " is not valid JSON (expected a Docker config "
                    + "with \"auths\")");
        } catch (RuntimeException e) {
            // Jib decodes "auth" without checking it: bad base64 or no colon ends up here
            throw new BuildFailure("the entry for " + host + " in " + file + " has an \"auth\" that is not base64 of "
                    + "user:password");
        }
        return found.map(c -> new Credential(c.getUsername(), c.getPassword()))
                .orElseThrow(() -> new BuildFailure("the registry auth file " + file + " has no entry for the "
                        + "registry " + host + " (berth.builds.registry.host)"));
    }
}
