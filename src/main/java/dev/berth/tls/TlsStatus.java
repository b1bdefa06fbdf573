package dev.berth.tls;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.apps.App;
import dev.berth.apps.AppManifests;
import dev.berth.kube.CustomResourceCache;
import dev.berth.kube.Names;
import dev.berth.regions.Region;
import dev.berth.regions.RegionClients;
import dev.berth.regions.RegionCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the regions show of an app's certificates, read from their watch caches (never a call to a cluster): for
 * cert-manager, the {@code Certificate} ingress-shim keeps for the app's Ingress (its Ready condition, notAfter and
 * renewal time); for an uploaded certificate, its validity and whether it covers the region's host.
 */
@ApplicationScoped
public class TlsStatus {
    static final String NO_ISSUER = "no certificate issuer in this region: a platform admin sets the region's "
            + "tlsIssuer; served over HTTP only until then";
    static final String NO_CERT_MANAGER = "cert-manager is not installed in this region (the cluster serves no "
            + "cert-manager.io/v1 API)";
    @Inject
    RegionClients clients;

    TlsView view(App a, String tenant, AppTls row) {
        TlsMode mode = row == null ? null : row.tlsMode();
        List<TlsView.RegionTls> regions = new ArrayList<>();
        for (Region r : TlsService.placedRegions(a)) {
            regions.add(region(r, a, tenant, row, mode));
        }
        TlsView.Certificate cert = row == null || row.subject == null ? null
                : new TlsView.Certificate(row.subject, row.issuer, List.copyOf(row.names), row.notBefore, row.notAfter);
        return new TlsView(mode == null ? null : mode.value(), row != null && row.sslRedirect, cert, regions,
                row == null ? null : row.version);
    }

    private TlsView.RegionTls region(Region r, App a, String tenant, AppTls row, TlsMode mode) {
        String host = AppManifests.host(a.name, tenant, a.customDomain, r.baseDomain);
        if (mode == null) {
            return new TlsView.RegionTls(r.name, host, false, null, null, null, null, null, null, null, null);
        }
        if (mode == TlsMode.UPLOADED) {
            boolean covered = UploadedCertificate.covers(row.names, host);
            boolean valid = row.notAfter != null && row.notAfter.isAfter(Instant.now());
            return new TlsView.RegionTls(r.name, host, true, TlsManifests.secretName(a.name, mode), null,
                    covered && valid, covered ? valid ? null : "Expired" : "NotCovered", null, row.notAfter, null,
                    covered ? valid ? null : "the uploaded certificate expired on " + row.notAfter
                            : "the uploaded certificate does not cover " + host);
        }
        String secret = TlsManifests.secretName(a.name, mode);
        if (r.tlsIssuer == null) {
            return new TlsView.RegionTls(r.name, host, false, null, null, null, null, null, null, null, NO_ISSUER);
        }
        Optional<RegionCluster> cluster = clients.get(r.name);
        if (cluster.isEmpty()) {
            return certManager(r, host, secret, null, "region not connected");
        }
        CustomResourceCache certificates = cluster.get().certificates();
        return switch (certificates.state()) {
            case UNKNOWN -> certManager(r, host, secret, null, "not known yet whether cert-manager is installed");
            case MISSING -> certManager(r, host, secret, null, NO_CERT_MANAGER);
            case WATCHING -> {
                GenericKubernetesResource c = certificates.get(Names.namespace(tenant), secret);
                yield c == null ? certManager(r, host, secret, null, "waiting for cert-manager to create the "
                        + "Certificate " + secret) : certManager(r, host, secret, c, null);
            }
        };
    }

    private static TlsView.RegionTls certManager(Region r, String host, String secret, GenericKubernetesResource c,
            String note) {
        if (c == null) {
            return new TlsView.RegionTls(r.name, host, true, secret, r.tlsIssuer, null, null, null, null, null, note);
        }
        JsonNode status = Serialization.jsonMapper().valueToTree(c).path("status");
        Boolean ready = null;
        String reason = null;
        String message = null;
        for (JsonNode cond : status.path("conditions")) {
            if ("Ready".equals(cond.path("type").asText())) {
                ready = "True".equals(cond.path("status").asText());
                reason = text(cond.path("reason"));
                message = text(cond.path("message"));
            }
        }
        return new TlsView.RegionTls(r.name, host, true, secret, r.tlsIssuer, ready, reason, message,
                time(text(status.path("notAfter"))), time(text(status.path("renewalTime"))),
                ready == null ? "cert-manager has not reported on the certificate yet" : null);
    }

    private static String text(JsonNode n) {
        return n == null || n.isMissingNode() || n.isNull() ? null : n.asText();
    }

    private static Instant time(String text) {
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
