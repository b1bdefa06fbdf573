package dev.berth.builds.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.builds.run.BuildFailure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the push credential from a Docker config JSON (a mounted kubernetes.io/dockerconfigjson Secret). */
class RegistryAuthTest {
    @TempDir
    Path dir;

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** The file as the Secret mounts it. */
    private Path file(String json) throws IOException {
        return Files.writeString(dir.resolve(".dockerconfigjson"), json);
    }

    @Test
    void findsTheEntryForTheRegistryHostAmongOthers() throws IOException {
        Path f = file("""
                {"auths": {
                  "ghcr.io": {"auth": "%s"},
                  "https://registry.example.com:5000/v1/": {"auth": "%s"}
                }}""".formatted(b64("other:nope"), b64("builder:s3cr:et")));
        RegistryAuth.Credential c = RegistryAuth.fromDockerConfig(f, "registry.example.com:5000");
        assertEquals("builder", c.username());
        assertEquals("s3cr:et", c.password(), "only the first colon separates user and password");
        assertFalse(c.toString().contains("s3cr"), "a credential never prints its password");
    }

    @Test
    void findsAnEntryKeyedWithPlainHttp() throws IOException {
        Path f = file("{\"auths\":{\"http://127.0.0.1:5000/v2/\":{\"auth\":\"" + b64("ci:pw") + "\"}}}");
        assertEquals(new RegistryAuth.Credential("ci", "pw"), RegistryAuth.fromDockerConfig(f, "127.0.0.1:5000"));
    }

    @Test
    void acceptsUsernameAndPasswordFields() throws IOException {
        Path f = file("{\"auths\":{\"127.0.0.1:5000\":{\"username\":\"ci\",\"password\":\"pw\"}}}");
        assertEquals(new RegistryAuth.Credential("ci", "pw"), RegistryAuth.fromDockerConfig(f, "127.0.0.1:5000"));
    }

    @Test
    void aHostMatchesOnlyWithItsPort() throws IOException {
        Path f = file("{\"auths\":{\"registry.example.com\":{\"auth\":\"" + b64("a:b") + "\"}}}");
        BuildFailure other = assertThrows(BuildFailure.class,
                () -> RegistryAuth.fromDockerConfig(f, "registry.example.com:5000"));
        assertTrue(other.getMessage().contains("no entry for the registry registry.example.com:5000"),
                other.getMessage());
    }

    @Test
    void refusalsNameTheFileAndHostButNoSecret() throws IOException {
        Path other = file("{\"auths\":{\"ghcr.io\":{\"auth\":\"" + b64("u:topsecret") + "\"}}}");
        BuildFailure missing = assertThrows(BuildFailure.class,
                () -> RegistryAuth.fromDockerConfig(other, "127.0.0.1:5000"));
        assertTrue(missing.getMessage().contains(other.toString()), missing.getMessage());
        assertTrue(missing.getMessage().contains("127.0.0.1:5000"), missing.getMessage());
        assertFalse(missing.getMessage().contains("topsecret"));

        Path broken = file("{");
        BuildFailure notJson = assertThrows(BuildFailure.class, () -> RegistryAuth.fromDockerConfig(broken, "h"));
        assertTrue(notJson.getMessage().contains("not valid JSON"), notJson.getMessage());
        Path noColon = file("{\"auths\":{\"h\":{\"auth\":\"" + b64("nocolon") + "\"}}}");
        BuildFailure badAuth = assertThrows(BuildFailure.class, () -> RegistryAuth.fromDockerConfig(noColon, "h"));
        assertTrue(badAuth.getMessage().contains("user:password"), badAuth.getMessage());
        assertFalse(badAuth.getMessage().contains("nocolon"));
        Path notBase64 = file("{\"auths\":{\"h\":{\"auth\":\"!!\"}}}");
        BuildFailure notB64 = assertThrows(BuildFailure.class, () -> RegistryAuth.fromDockerConfig(notBase64, "h"));
        assertTrue(notB64.getMessage().contains("not base64"), notB64.getMessage());
    }

    @Test
    void writesADockerConfigForTheHostOnly() throws IOException {
        String json = RegistryAuth.dockerConfigJson("127.0.0.1:5000", new RegistryAuth.Credential("ci", "pw"));
        assertEquals("{\"auths\":{\"127.0.0.1:5000\":{\"auth\":\"" + b64("ci:pw") + "\"}}}", json);
        assertEquals(new RegistryAuth.Credential("ci", "pw"), RegistryAuth.fromDockerConfig(file(json), "127.0.0.1:5000"),
                "what Berth writes it reads back");
    }
}
