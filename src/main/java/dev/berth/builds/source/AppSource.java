package dev.berth.builds.source;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.LockModeType;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** Where an app's code lives: repository, branch or tag, and how to build it. Credentials are stored sealed. */
@Entity
public class AppSource extends PanacheEntityBase {
    @Id
    public Long appId;
    public String repoUrl;
    public String gitRef;
    public String subDir;
    public String dockerfile;
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, String> buildArgs = new TreeMap<>();
    public String authKind = "none";
    public String authUser;
    /** The token or SSH private key, sealed with SecretBox; never returned. */
    public String authSecret;
    /** Sealed; shown to developers of the tenant so they can configure their Git host. */
    public String webhookSecret;
    /** OpenSSH known_hosts lines: when set, only these host keys are accepted. */
    public String sshKnownHosts;
    /** The server's host key pinned on first use ({@code type base64}), its SHA256 fingerprint and when. */
    public String sshHostKey;
    @jakarta.persistence.Column(name = "ssh_host_key_sha256")
    public String sshHostKeySha256;
    public Instant sshHostKeyPinnedAt;
    public Instant updatedAt = Instant.now();
    /** Optimistic lock: a write based on an older version is refused (409). */
    @Version
    public long version;

    public static AppSource forApp(long appId) {
        return findById(appId);
    }

    /**
     * The app's row locked for a change: a build pinning the host key meanwhile ({@link SourceService#pinHostKey})
     * waits, then pins only if the change left the URL and known_hosts as they were.
     */
    public static AppSource lock(long appId) {
        return findById(appId, LockModeType.PESSIMISTIC_WRITE);
    }
}
