package dev.berth.builds.source;

import dev.berth.builds.run.BuildsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/** The copy-paste setup of an app's webhook for each supported Git host. */
@ApplicationScoped
public class WebhookSetup {
    @Inject
    SourceService sources;
    @Inject
    BuildsConfig config;

    public record Host(String host, String url, String steps) {
    }

    public record Instructions(String secret, String branch, List<Host> hosts) {
    }

    public Instructions instructions(long tenantId, String tenant, String app, String requestBase) {
        String secret = sources.webhookSecret(tenantId, app);
        String ref = sources.get(tenantId, app).ref();
        String base = config.webhooks().publicUrl().orElse(requestBase).replaceAll("/+$", "");
        String path = base + "/hooks/" + tenant + "/" + app + "/";
        return new Instructions(secret, ref, List.of(
                new Host("GitHub", path + "github", "Repository Settings > Webhooks > Add webhook: Payload URL = this "
                        + "URL, Content type = application/json, Secret = the secret above, events: Just the push event."),
                new Host("GitLab", path + "gitlab", "Project Settings > Webhooks > Add new webhook: URL = this URL, "
                        + "Secret token = the secret above, Trigger: Push events (and Tag push events to build tags)."),
                new Host("Gitea / Forgejo", path + "gitea", "Repository Settings > Webhooks > Add webhook > Gitea "
                        + "(or Forgejo): Target URL = this URL, HTTP method POST, POST content type application/json, "
                        + "Secret = the secret above, Trigger on: Push events.")));
    }
}
