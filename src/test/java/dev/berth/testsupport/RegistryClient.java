package dev.berth.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/** Reads what was pushed to the test registry: manifests by digest, config blobs, and files inside layers. */
public final class RegistryClient {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCEPT = "application/vnd.oci.image.manifest.v1+json,"
            + "application/vnd.docker.distribution.manifest.v2+json";

    private RegistryClient() {
    }

    /** The manifest of {@code repo} at {@code digest}; fails unless the registry serves exactly that digest. */
    public static JsonNode manifest(String repo, String digest) {
        HttpResponse<byte[]> r = get("/v2/" + repo + "/manifests/" + digest, ACCEPT);
        if (r.statusCode() != 200) {
            throw new AssertionError("GET manifest " + repo + "@" + digest + " answered " + r.statusCode());
        }
        String served = r.headers().firstValue("Docker-Content-Digest").orElse("");
        if (!served.equals(digest)) {
            throw new AssertionError("registry served " + served + " for " + digest);
        }
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    public static JsonNode config(String repo, JsonNode manifest) {
        try {
            return JSON.readTree(blob(repo, manifest.path("config").path("digest").asText()));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Regular files of all layers (later layers win), path without leading slash to content. */
    public static Map<String, String> files(String repo, JsonNode manifest) {
        Map<String, String> files = new LinkedHashMap<>();
        fileBytes(repo, manifest).forEach((path, body) -> files.put(path, new String(body, StandardCharsets.UTF_8)));
        return files;
    }

    /** Like {@link #files}, with the exact bytes (for binary files such as JARs). */
    public static Map<String, byte[]> fileBytes(String repo, JsonNode manifest) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        readLayers(repo, manifest, files, new LinkedHashMap<>());
        return files;
    }

    /** The permission bits (such as {@code 0644}) of the regular files of all layers, keyed like {@link #files}. */
    public static Map<String, Integer> fileModes(String repo, JsonNode manifest) {
        Map<String, Integer> modes = new LinkedHashMap<>();
        readLayers(repo, manifest, new LinkedHashMap<>(), modes);
        return modes;
    }

    private static void readLayers(String repo, JsonNode manifest, Map<String, byte[]> files, Map<String, Integer> modes) {
        for (JsonNode layer : manifest.path("layers")) {
            byte[] data = blob(repo, layer.path("digest").asText());
            try (InputStream in = layer.path("mediaType").asText().contains("gzip")
                    ? new GZIPInputStream(new ByteArrayInputStream(data)) : new ByteArrayInputStream(data)) {
                readTar(in, files, modes);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    private static void readTar(InputStream in, Map<String, byte[]> files, Map<String, Integer> modes) throws IOException {
        byte[] header = new byte[512];
        while (in.readNBytes(header, 0, 512) == 512) {
            String name = cString(header, 0, 100);
            if (name.isEmpty()) {
                return;
            }
            String prefix = cString(header, 345, 155);
            long size = Long.parseLong(cString(header, 124, 12).trim().isEmpty() ? "0" : cString(header, 124, 12).trim(), 8);
            byte type = header[156];
            byte[] body = in.readNBytes((int) size);
            in.skipNBytes((512 - size % 512) % 512);
            String path = (prefix.isEmpty() ? name : prefix + "/" + name).replaceFirst("^\\./", "").replaceFirst("^/", "");
            if (type == '0' || type == 0) {
                files.put(path, body);
                modes.put(path, Integer.parseInt(cString(header, 100, 8).trim(), 8) & 07777);
            }
        }
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static byte[] blob(String repo, String digest) {
        HttpResponse<byte[]> r = get("/v2/" + repo + "/blobs/" + digest, "*/*");
        if (r.statusCode() != 200) {
            throw new AssertionError("GET blob " + digest + " answered " + r.statusCode());
        }
        return r.body();
    }

    private static HttpResponse<byte[]> get(String path, String accept) {
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + BuildInfra.registry() + path))
                    .header("Accept", accept).header("Authorization", "Basic " + java.util.Base64.getEncoder()
                            .encodeToString(BuildInfra.creds().getBytes(StandardCharsets.UTF_8))).build();
            return HTTP.send(req, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

}
