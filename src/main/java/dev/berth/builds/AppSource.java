package dev.berth.builds;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
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
    public Instant updatedAt = Instant.now();

    public static AppSource forApp(long appId) {
        return findById(appId);
    }
}
