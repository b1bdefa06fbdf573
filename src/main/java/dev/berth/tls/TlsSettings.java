package dev.berth.tls;

import dev.berth.apps.App;
import dev.berth.secrets.SecretBox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads apps' TLS for the reconcilers (inside their read transaction), with uploaded keys unsealed: one query for any
 * number of apps.
 */
@ApplicationScoped
public class TlsSettings {
    @Inject
    SecretBox secrets;

    /** The TLS of these apps (of one tenant), by app name; apps served over HTTP only are left out. */
    public Map<String, TlsSpec> of(List<App> apps) {
        Map<String, TlsSpec> m = new HashMap<>();
        byTenant(apps).values().forEach(m::putAll);
        return m;
    }

    /** The TLS of these apps, by tenant id and app name. */
    public Map<Long, Map<String, TlsSpec>> byTenant(List<App> apps) {
        Map<Long, App> byId = new HashMap<>();
        apps.forEach(a -> byId.put(a.id, a));
        Map<Long, Map<String, TlsSpec>> m = new HashMap<>();
        for (AppTls t : AppTls.listByApps(List.copyOf(byId.keySet()))) {
            App a = byId.get(t.appId);
            m.computeIfAbsent(a.tenantId, k -> new HashMap<>()).put(a.name, spec(t));
        }
        return m;
    }

    TlsSpec spec(AppTls t) {
        TlsMode mode = t.tlsMode();
        return mode == TlsMode.UPLOADED
                ? new TlsSpec(mode, t.sslRedirect, t.certificatePem, secrets.decrypt(t.keySealed))
                : new TlsSpec(mode, t.sslRedirect, null, null);
    }
}
