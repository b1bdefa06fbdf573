package dev.berth.builds.source;

import dev.berth.api.ApiException;
import dev.berth.api.Validator;
import dev.berth.apps.App;
import dev.berth.audit.AuditLog;
import dev.berth.secrets.SecretBox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Owns apps' repository connections: validates them (SSRF checks included), seals credentials and the webhook
 * secret, and records each change in the audit log without any secret value.
 */
@ApplicationScoped
public class SourceService {
    @Inject
    dev.berth.api.Preconditions preconditions;
    @Inject
    UrlGuard guard;
    @Inject
    SecretBox secrets;
    @Inject
    AuditLog audit;

    @Transactional
    public SourceView get(long tenantId, String app) {
        return SourceView.of(require(tenantId, app));
    }

    @Transactional
    public SourceView put(long tenantId, String tenant, String appName, SourceRequest req) {
        if (req == null) {
            throw ApiException.invalid("body", "is required");
        }
        App app = app(tenantId, appName);
        Validator v = new Validator();
        v.rule("repoUrl", guard.checkGitUrl(req.repoUrl()));
        String ref = req.ref() == null || req.ref().isBlank() ? "main" : req.ref().trim();
        v.rule("ref", SourceRules.ref(ref));
        v.rule("subDirectory", SourceRules.relativePath(req.subDirectory(), false));
        String dockerfile = req.dockerfile() == null || req.dockerfile().isBlank() ? "Dockerfile" : req.dockerfile().trim();
        v.rule("dockerfile", SourceRules.relativePath(dockerfile, true));
        Map<String, String> args = req.buildArgs() == null ? Map.of() : req.buildArgs();
        v.check(args.size() <= SourceRules.MAX_ARGS, "buildArgs", "at most " + SourceRules.MAX_ARGS + " build arguments");
        args.forEach((k, val) -> {
            v.rule("buildArgs." + k, SourceRules.argName(k));
            v.check(val != null && val.length() <= 4096, "buildArgs." + k, "must be a value of at most 4096 characters");
        });
        boolean hasToken = req.token() != null && !req.token().isBlank();
        boolean hasKey = req.sshPrivateKey() != null && !req.sshPrivateKey().isBlank();
        v.check(!(hasToken && hasKey), "token", "give either a token or an SSH private key, not both");
        if (hasKey) {
            v.check(req.sshPrivateKey().contains("PRIVATE KEY-----"), "sshPrivateKey",
                    "must be a private key in OpenSSH or PEM format");
            v.check(!req.repoUrl().startsWith("http"), "sshPrivateKey", "an SSH key needs an ssh:// or git@ URL");
        }
        if (hasToken) {
            v.check(req.token().length() <= 1000 && !req.token().contains("\n"), "token", "must be a single-line token");
            v.check(req.repoUrl() != null && req.repoUrl().startsWith("http"), "token", "a token needs an https URL");
        }
        v.check(req.username() == null || req.username().matches("[A-Za-z0-9._@-]{1,100}"), "username",
                "must be a user name of letters, digits, '.', '_', '@' or '-'");
        String knownHosts = req.sshKnownHosts() == null || req.sshKnownHosts().isBlank() ? null
                : req.sshKnownHosts().strip() + "\n";
        if (knownHosts != null && req.repoUrl() != null) {
            v.rule("sshKnownHosts", KnownHosts.check(knownHosts, req.repoUrl().trim()));
        }
        v.throwIfInvalid();

        // Locked: a change written from a row read before a build pinned the host key would unpin it.
        AppSource s = AppSource.lock(app.id);
        boolean created = s == null;
        if (!created) {
            preconditions.check("the source of " + app.name, s.version);
        }
        if (created) {
            s = new AppSource();
            s.appId = app.id;
            s.webhookSecret = secrets.encrypt(secrets.newSecret(24));
        }
        String repoUrl = req.repoUrl().trim();
        boolean resetPin = s.sshHostKey != null && (!repoUrl.equals(s.repoUrl) || knownHosts != null
                || Boolean.TRUE.equals(req.resetHostKey()));
        if (resetPin) {
            // A new server (another URL), keys given explicitly, or a reset: the next connection pins again.
            s.sshHostKey = null;
            s.sshHostKeySha256 = null;
            s.sshHostKeyPinnedAt = null;
        }
        boolean knownHostsChanged = !java.util.Objects.equals(knownHosts, s.sshKnownHosts);
        s.sshKnownHosts = knownHosts;
        s.repoUrl = repoUrl;
        s.gitRef = ref;
        s.subDir = req.subDirectory() == null || req.subDirectory().isBlank() ? null : req.subDirectory().trim();
        s.dockerfile = dockerfile;
        s.buildArgs = new TreeMap<>(args);
        if (Boolean.TRUE.equals(req.clearCredentials())) {
            s.authKind = "none";
            s.authSecret = null;
            s.authUser = null;
        }
        if (hasToken) {
            s.authKind = "token";
            s.authSecret = secrets.encrypt(req.token().trim());
        } else if (hasKey) {
            s.authKind = "ssh-key";
            s.authSecret = secrets.encrypt(req.sshPrivateKey().strip() + "\n");
        }
        if (req.username() != null) {
            s.authUser = req.username().isBlank() ? null : req.username();
        }
        s.updatedAt = Instant.now();
        s.persist();
        Map<String, Object> changes = new LinkedHashMap<>();
        changes.put("repoUrl", s.repoUrl);
        changes.put("ref", s.gitRef);
        changes.put("credentials", s.authKind + (hasToken || hasKey ? " (set)" : ""));
        if (knownHostsChanged) {
            changes.put("sshKnownHosts", knownHosts == null ? "removed" : "set");
        }
        if (resetPin) {
            changes.put("pinnedHostKey", "reset");
        }
        audit.record(tenantId, tenant, app.name, created ? "source.connect" : "source.update",
                (created ? "connected " : "changed ") + "repository " + s.repoUrl + " (" + s.gitRef + ")", changes);
        io.quarkus.hibernate.orm.panache.Panache.getEntityManager().flush(); // the response shows the new version
        return SourceView.of(s);
    }

    @Transactional
    public void delete(long tenantId, String tenant, String appName) {
        AppSource s = require(tenantId, appName);
        s.delete();
        audit.record(tenantId, tenant, appName, "source.disconnect", "disconnected repository " + s.repoUrl, null);
    }

    /** The plain webhook secret, for the setup instructions shown to the tenant's developers. */
    @Transactional
    public String webhookSecret(long tenantId, String appName) {
        return secrets.decrypt(require(tenantId, appName).webhookSecret);
    }

    /** A new webhook secret; the old one stops working at once. */
    @Transactional
    public String rotateWebhookSecret(long tenantId, String tenant, String appName) {
        AppSource s = AppSource.lock(app(tenantId, appName).id);
        if (s == null) {
            throw ApiException.notFound("source of app", appName);
        }
        String secret = secrets.newSecret(24);
        s.webhookSecret = secrets.encrypt(secret);
        audit.record(tenantId, tenant, appName, "source.webhook-secret", "replaced the webhook secret", null);
        return secret;
    }

    public static App app(long tenantId, String name) {
        return App.require(tenantId, name);
    }

    /**
     * Pins the SSH host key the first successful connection of a build saw, unless meanwhile a key was pinned, the
     * URL changed or known_hosts were given. Returns whether it was pinned.
     */
    @Transactional
    public boolean pinHostKey(long appId, String repoUrl, String keyText, String fingerprint) {
        return AppSource.update("sshHostKey = ?1, sshHostKeySha256 = ?2, sshHostKeyPinnedAt = ?3 where appId = ?4 "
                + "and repoUrl = ?5 and sshHostKey is null and sshKnownHosts is null", keyText, fingerprint,
                Instant.now(), appId, repoUrl) == 1;
    }

    static AppSource require(long tenantId, String appName) {
        AppSource s = AppSource.forApp(app(tenantId, appName).id);
        if (s == null) {
            throw ApiException.notFound("source of app", appName);
        }
        return s;
    }
}
