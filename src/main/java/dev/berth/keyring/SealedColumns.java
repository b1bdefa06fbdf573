package dev.berth.keyring;

import java.util.List;

/**
 * Every place Berth stores values sealed by {@link dev.berth.secrets.SecretBox}: a text column, or a JSON object of
 * sealed values (an app's secret env, and its copy in each release's configuration). A new sealed column must be
 * added here, or re-sealing would leave its values under an old key ({@code SecretRotationTest} lists them too).
 */
final class SealedColumns {
    private SealedColumns() {
    }

    /**
     * One sealed column. {@code json} is null for a text column; else the path (within {@code column}) of a JSON
     * object whose values are sealed: empty for the column itself.
     */
    record Column(String table, String column, String json) {
        String label() {
            return table + "." + column + (json == null || json.isEmpty() ? "" : "." + json);
        }

        /** SQL for the JSON object of sealed values, or the text value. */
        String value() {
            return json == null ? column : json.isEmpty() ? column : column + "->'" + json + "'";
        }
    }

    static final List<Column> ALL = List.of(
            new Column("app", "secret_env", ""),
            new Column("release", "config", "secretEnv"),
            new Column("app_source", "auth_secret", null),
            new Column("app_source", "webhook_secret", null),
            new Column("notification_hook", "secret", null),
            new Column("region", "kubeconfig_sealed", null));
}
