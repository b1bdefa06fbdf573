package dev.berth.builds.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.builds.run.BuildFailure;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Reading the push credential from a Docker config JSON (a mounted kubernetes.io/dockerconfigjson Secret). */
class RegistryAuthTest {
    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void findsTheEntryForTheRegistryHostAmongOthers() {
        String json = """
                {"auths": {
                  "ghcr.io": {"auth": "%s"},
                  "https://registry.example.com:5000/v1/": {"auth": "%s"}
                }}""".formatted(b64("other:nope"), b64("builder:s3cr:et"));
        RegistryAuth.Credential c = RegistryAuth.fromDockerConfig(json, "registry.example.com:5000", "/etc/auth.json");
        assertEquals("builder", c.username());
        assertEquals("s3cr:et", c.password(), "only the first colon separates user and password");
        assertFalse(c.toString().contains("s3cr"), "a credential never prints its password");
    }

    @Test
    void acceptsUsernameAndPasswordFields() {
        String json = "{\"auths\":{\"127.0.0.1:5000\":{\"username\":\"ci\",\"password\":\"pw\"}}}";
        assertEquals(new RegistryAuth.Credential("ci", "pw"), RegistryAuth.fromDockerConfig(json, "127.0.0.1:5000", "f"));
    }

    @Test
    void refusalsNameTheFileAndHostButNoSecret() {
        String other = "{\"auths\":{\"ghcr.io\":{\"auth\":\"" + b64("u:topsecret") + "\"}}}";
        BuildFailure missing = assertThrows(BuildFailure.class,
                () -> RegistryAuth.fromDockerConfig(other, "127.0.0.1:5000", "/etc/berth/registry/.dockerconfigjson"));
        assertTrue(missing.getMessage().contains("/etc/berth/registry/.dockerconfigjson"), missing.getMessage());
        assertTrue(missing.getMessage().contains("127.0.0.1:5000"), missing.getMessage());
        assertFalse(missing.getMessage().contains("topsecret"));

        BuildFailure notJson = assertThrows(BuildFailure.class, () -> RegistryAuth.fromDockerConfig("{", "h", "f"));
        assertTrue(notJson.getMessage().contains("not valid JSON"), notJson.getMessage());
        BuildFailure badAuth = assertThrows(BuildFailure.class,
                () -> RegistryAuth.fromDockerConfig("{\"auths\":{\"h\":{\"auth\":\"" + b64("nocolon") + "\"}}}", "h", "f"));
        assertTrue(badAuth.getMessage().contains("user:password"), badAuth.getMessage());
    }

    @Test
    void writesADockerConfigForTheHostOnly() {
        String json = RegistryAuth.dockerConfigJson("127.0.0.1:5000", new RegistryAuth.Credential("ci", "pw"));
        assertEquals("{\"auths\":{\"127.0.0.1:5000\":{\"auth\":\"" + b64("ci:pw") + "\"}}}", json);
        assertEquals(new RegistryAuth.Credential("ci", "pw"), RegistryAuth.fromDockerConfig(json, "127.0.0.1:5000", "f"),
                "what Berth writes it reads back");
    }

    @Test
    void hostOfStripsSchemeAndPath() {
        assertEquals("registry.example.com:5000", RegistryAuth.hostOf("https://registry.example.com:5000/v1/"));
        assertEquals("ghcr.io", RegistryAuth.hostOf("ghcr.io"));
    }
}
