package dev.berth.tls;

import dev.berth.api.ApiException;
import dev.berth.api.Preconditions;
import dev.berth.api.Validator;
import dev.berth.apps.App;
import dev.berth.apps.AppManifests;
import dev.berth.audit.AuditLog;
import dev.berth.kube.DesiredStateChanged;
import dev.berth.regions.Region;
import dev.berth.secrets.SecretBox;
import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An app's TLS: set, changed or removed in one transaction with its audit record; the region workers then write the
 * Ingress's TLS section and annotations and, for an uploaded certificate, its Secret ({@link TlsManifests}). An
 * uploaded certificate is checked first ({@link UploadedCertificate}) and its key sealed; neither the key nor the
 * chain is ever returned. Not a release: the pods are not touched.
 */
@ApplicationScoped
public class TlsService {
    @Inject
    SecretBox secrets;
    @Inject
    AuditLog audit;
    @Inject
    Event<DesiredStateChanged> changed;
    @Inject
    Preconditions preconditions;
    @Inject
    TlsStatus status;

    @Transactional
    public TlsView get(long tenantId, String tenant, String app) {
        App a = App.require(tenantId, app);
        return status.view(a, tenant, AppTls.findByApp(a.id));
    }

    @Transactional
    public TlsView set(long tenantId, String tenant, String app, TlsRequest req) {
        if (req == null) {
            throw ApiException.invalid("body", "is required");
        }
        Validator v = new Validator();
        TlsMode mode = TlsMode.of(req.mode());
        v.check(req.mode() != null, "mode", "is required: cert-manager or uploaded");
        v.check(req.mode() == null || mode != null, "mode", "must be cert-manager or uploaded");
        if (mode == TlsMode.CERT_MANAGER) {
            v.check(req.certificate() == null, "certificate", "is only taken with mode uploaded");
            v.check(req.key() == null, "key", "is only taken with mode uploaded");
        }
        v.throwIfInvalid();
        App a = App.require(tenantId, app);
        AppTls row = AppTls.findByApp(a.id);
        if (row != null) {
            preconditions.check("tls", row.version);
        }
        boolean keep = mode == TlsMode.UPLOADED && req.certificate() == null && req.key() == null && row != null
                && row.tlsMode() == TlsMode.UPLOADED;
        UploadedCertificate upload = null;
        if (mode == TlsMode.UPLOADED && !keep) {
            upload = UploadedCertificate.parse(v, req.certificate(), req.key(), hosts(a, tenant), Instant.now());
            v.throwIfInvalid();
        }
        boolean redirect = req.sslRedirect() == null || req.sslRedirect();
        Map<String, Object> before = describe(row);
        boolean created = row == null;
        if (created) {
            row = new AppTls();
            row.appId = a.id;
            row.tenantId = tenantId;
        }
        row.mode = mode.value();
        row.sslRedirect = redirect;
        if (mode == TlsMode.CERT_MANAGER) {
            clearCertificate(row);
        } else if (upload != null) {
            row.certificatePem = upload.chainPem();
            row.keySealed = secrets.encrypt(upload.keyPem());
            row.subject = upload.subject();
            row.issuer = upload.issuer();
            row.names = upload.names();
            row.notBefore = upload.notBefore();
            row.notAfter = upload.notAfter();
        }
        Map<String, Object> after = describe(row);
        if (upload != null) {
            after.put("certificate", "uploaded: " + upload.subject() + ", valid until " + upload.notAfter());
        }
        if (!created && after.equals(before)) {
            return status.view(a, tenant, row);
        }
        row.updatedAt = Instant.now();
        if (created) {
            row.persist();
        }
        Panache.getEntityManager().flush();
        audit.record(tenantId, tenant, a.name, "app.tls", summary(row, upload), diff(before, after));
        changed.fire(new DesiredStateChanged(tenant));
        return status.view(a, tenant, row);
    }

    /** Serves the app over HTTP only again; the uploaded certificate and key are deleted. */
    @Transactional
    public void remove(long tenantId, String tenant, String app) {
        App a = App.require(tenantId, app);
        AppTls row = AppTls.findByApp(a.id);
        if (row == null) {
            return;
        }
        preconditions.check("tls", row.version);
        Map<String, Object> before = describe(row);
        row.delete();
        Map<String, Object> diff = new LinkedHashMap<>();
        diff.put("tls", before.get("mode") + " -> off");
        audit.record(tenantId, tenant, a.name, "app.tls", "switched TLS off: HTTP only", diff);
        changed.fire(new DesiredStateChanged(tenant));
    }

    /** Every host the app is served at: its custom domain, or its host under each placed region's base domain. */
    static List<String> hosts(App a, String tenant) {
        return placedRegions(a).stream().map(r -> AppManifests.host(a.name, tenant, a.customDomain, r.baseDomain))
                .distinct().toList();
    }

    static List<Region> placedRegions(App a) {
        return Panache.getEntityManager().createQuery("select r from Region r where r.id in (select ar.regionId from "
                + "AppRegion ar where ar.appId = :a) order by r.name", Region.class).setParameter("a", a.id)
                .getResultList();
    }

    private static void clearCertificate(AppTls row) {
        row.certificatePem = null;
        row.keySealed = null;
        row.subject = null;
        row.issuer = null;
        row.names = List.of();
        row.notBefore = null;
        row.notAfter = null;
    }

    private static String summary(AppTls row, UploadedCertificate upload) {
        String redirect = row.sslRedirect ? "HTTP redirects to HTTPS" : "HTTP not redirected";
        if (row.tlsMode() == TlsMode.CERT_MANAGER) {
            return "TLS through each region's cert-manager issuer; " + redirect;
        }
        return upload != null ? "uploaded a certificate for " + String.join(", ", upload.names()) + " (valid until "
                + upload.notAfter() + "); " + redirect : "kept the uploaded certificate; " + redirect;
    }

    private static Map<String, Object> describe(AppTls row) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", row == null ? "off" : row.mode);
        m.put("sslRedirect", row != null && row.sslRedirect);
        m.put("certificate", row == null || row.subject == null ? "none" : row.subject + ", valid until " + row.notAfter);
        return m;
    }

    private static Map<String, Object> diff(Map<String, Object> before, Map<String, Object> after) {
        Map<String, Object> d = new LinkedHashMap<>();
        after.forEach((k, v) -> {
            if (!java.util.Objects.equals(before.get(k), v)) {
                d.put(k, before.get(k) + " -> " + v);
            }
        });
        return d;
    }
}
