package dev.berth.regions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Reads an image's manifest and config from one OCI / Docker v2 registry, the way a kubelet's pull resolves it, so
 * {@link KubeletRules} can tell a missing image or one that runs as root. Only images on {@code host} are looked up;
 * any other host is {@link ImageFacts.Availability#UNKNOWN} without a network call. A manifest list or OCI index
 * resolves to its linux/amd64 image. 404 ({@code MANIFEST_UNKNOWN}, {@code NAME_UNKNOWN}) is
 * {@link ImageFacts.Availability#MISSING}; no answer within the timeout, a refused login or any other error is
 * UNKNOWN. Logins: HTTP Basic or a bearer token from the registry's challenge, with the credential the supplier
 * gives (read for each lookup, so a rotated password applies). Plain HTTP only for a registry marked insecure.
 *
 * <p>Answers are cached, bounded: an image pinned by digest never changes, so what was found for it stays; other
 * answers (tags, missing, unknown) are kept for a short while only, so a tag pushed later is seen.
 */
public final class RegistryImageInspector implements ImageInspector {
    private static final Logger LOG = Logger.getLogger(RegistryImageInspector.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String ACCEPT = String.join(",", "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.v2+json",
            "application/vnd.docker.distribution.manifest.list.v2+json");

    /** A user name and password (or token) for the registry. */
    public record Credentials(String username, String password) {
        @Override
        public String toString() {
            return "Credentials[" + username + ", ****]";
        }
    }

    private final String host;
    private final boolean insecure;
    private final Supplier<Optional<Credentials>> credentials;
    private final Duration timeout;
    private final Duration ttl;
    private final int cacheSize;
    private final Clock clock;
    private final Map<String, Cached> cache;
    private volatile HttpClient http;

    private record Cached(ImageFacts facts, Instant until) {
    }

    /** Berth's defaults: 2 s per request, 256 cached answers, 10 s for answers that may change. */
    public RegistryImageInspector(String host, boolean insecure, Supplier<Optional<Credentials>> credentials) {
        this(host, insecure, credentials, Duration.ofSeconds(2), 256, Duration.ofSeconds(10), Clock.systemUTC());
    }

    public RegistryImageInspector(String host, boolean insecure, Supplier<Optional<Credentials>> credentials,
            Duration timeout, int cacheSize, Duration ttl, Clock clock) {
        this.host = host.toLowerCase(Locale.ROOT);
        this.insecure = insecure;
        this.credentials = credentials;
        this.timeout = timeout;
        this.cacheSize = cacheSize;
        this.ttl = ttl;
        this.clock = clock;
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
                return size() > RegistryImageInspector.this.cacheSize;
            }
        };
    }

    @Override
    public ImageFacts inspect(String imageReference) {
        ImageRef ref = ImageRef.parse(imageReference);
        if (ref == null || !ref.host().equals(host)) {
            return ImageFacts.unknown();
        }
        Instant now = clock.instant();
        synchronized (cache) {
            Cached c = cache.get(imageReference);
            if (c != null && (c.until() == null || now.isBefore(c.until()))) {
                return c.facts();
            }
        }
        ImageFacts facts = lookUp(ref);
        boolean forever = ref.pinned() && facts.availability() == ImageFacts.Availability.FOUND;
        synchronized (cache) {
            cache.put(imageReference, new Cached(facts, forever ? null : now.plus(ttl)));
        }
        return facts;
    }

    private ImageFacts lookUp(ImageRef ref) {
        RegistrySession session = new RegistrySession(client(), (insecure ? "http://" : "https://") + ref.host(),
                ref.repository(), insecure, timeout, credentials(), JSON);
        try {
            HttpResponse<byte[]> r = session.get("/manifests/" + ref.reference(), ACCEPT);
            if (r.statusCode() == 404 || notFound(r)) {
                return ImageFacts.missing();
            }
            if (r.statusCode() != 200) {
                LOG.debugf("registry %s: %s answered %d", host, ref, r.statusCode());
                return ImageFacts.unknown();
            }
            JsonNode manifest = JSON.readTree(r.body());
            if (manifest.has("manifests")) {
                String digest = linuxAmd64(manifest);
                if (digest == null) {
                    return ImageFacts.missing(); // as a pull on an amd64 node: no match for platform in manifest
                }
                r = session.get("/manifests/" + digest, ACCEPT);
                if (r.statusCode() == 404 || notFound(r)) {
                    return ImageFacts.missing();
                }
                if (r.statusCode() != 200) {
                    return ImageFacts.unknown();
                }
                manifest = JSON.readTree(r.body());
            }
            String config = manifest.path("config").path("digest").asText("");
            if (config.isEmpty()) {
                return ImageFacts.unknown();
            }
            r = session.get("/blobs/" + config, "*/*");
            if (r.statusCode() == 404) {
                return ImageFacts.missing();
            }
            if (r.statusCode() != 200) {
                return ImageFacts.unknown();
            }
            JsonNode c = JSON.readTree(r.body()).path("config");
            Set<String> ports = new LinkedHashSet<>();
            // Some builders (buildah config --port 8080) write the port without its protocol, which means tcp.
            c.path("ExposedPorts").fieldNames().forEachRemaining(p -> ports.add(p.contains("/") ? p : p + "/tcp"));
            return ImageFacts.found(c.path("User").asText(""), ports);
        } catch (IOException e) {
            LOG.debugf("registry %s: %s: %s", host, ref, e.toString());
            return ImageFacts.unknown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ImageFacts.unknown();
        }
    }

    private Optional<Credentials> credentials() {
        try {
            return credentials.get();
        } catch (RuntimeException unreadable) {
            // An unreadable credential: try anonymously; a registry that wants a login answers 401, i.e. unknown.
            LOG.debugf("registry %s: no credential: %s", host, unreadable.getMessage());
            return Optional.empty();
        }
    }

    /** Registries that answer "unknown" with another status than 404 still say so in their error codes. */
    private static boolean notFound(HttpResponse<byte[]> r) {
        if (r.statusCode() < 400 || r.statusCode() == 401 || r.statusCode() == 403) {
            return false;
        }
        String body = new String(r.body(), StandardCharsets.UTF_8);
        return body.contains("MANIFEST_UNKNOWN") || body.contains("NAME_UNKNOWN");
    }

    /** The digest of the linux/amd64 image in an OCI index or Docker manifest list; null if there is none. */
    static String linuxAmd64(JsonNode index) {
        for (JsonNode m : index.path("manifests")) {
            JsonNode p = m.path("platform");
            if ("linux".equals(p.path("os").asText()) && "amd64".equals(p.path("architecture").asText())) {
                return m.path("digest").asText(null);
            }
        }
        return null;
    }

    private HttpClient client() {
        HttpClient c = http;
        if (c == null) {
            synchronized (this) {
                if (http == null) {
                    http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER)
                            .build();
                }
                c = http;
            }
        }
        return c;
    }
}
