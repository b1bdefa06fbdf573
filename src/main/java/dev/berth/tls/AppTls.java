package dev.berth.tls;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * An app's TLS settings: certificates from each region's cert-manager issuer, or a certificate the tenant uploaded
 * (its chain kept as it is, its key sealed by SecretBox and never shown again). An app without a row is served over
 * HTTP only.
 */
@Entity
@Table(name = "app_tls")
public class AppTls extends PanacheEntityBase {
    @Id
    public Long appId;
    public Long tenantId;
    /** {@link TlsMode#value()}. */
    public String mode;
    public boolean sslRedirect = true;
    public String certificatePem;
    /** The uploaded private key, sealed; never shown, logged or audited. */
    public String keySealed;
    public String subject;
    public String issuer;
    @JdbcTypeCode(SqlTypes.JSON)
    public List<String> names = new ArrayList<>();
    public Instant notBefore;
    public Instant notAfter;
    @Version
    public long version;
    public Instant createdAt = Instant.now();
    public Instant updatedAt = Instant.now();

    public TlsMode tlsMode() {
        return TlsMode.of(mode);
    }

    public static AppTls findByApp(long appId) {
        return findById(appId);
    }

    public static List<AppTls> listByApps(List<Long> appIds) {
        return appIds.isEmpty() ? List.of() : list("appId in ?1", appIds);
    }
}
