package dev.berth.keyring;

import java.util.List;

/**
 * Every place Berth stores values sealed by {@link dev.berth.secrets.SecretBox}: a text column, or a JSON object of
 * sealed values (an app's secret env, and its copy in each release's configuration). A new sealed column must be
 * added here, or re-sealing would leave its values under an old key.
 */
final class SealedColumns {
    private SealedColumns() {
    }

    /**
     * One sealed column of a table whose rows {@code key} (a bigint primary key) orders. {@code json} is null for
     * a text column; else the path (within {@code column}) of a JSON object whose values are sealed: empty for the
     * column itself.
     */
    record Column(String table, String key, String column, String json) {
        String label() {
            return table + "." + column + (json == null || json.isEmpty() ? "" : "." + json);
        }

        /** SQL for the JSON object of sealed values, or the text value. */
        String value() {
            return json == null ? column : json.isEmpty() ? column : column + "->'" + json + "'";
        }
    }

    static final List<Column> ALL = List.of(
            new Column("app", "id", "secret_env", ""),
            new Column("release", "id", "config", "secretEnv"),
            new Column("app_source", "app_id", "auth_secret", null),
            new Column("app_source", "app_id", "webhook_secret", null),
            new Column("notification_hook", "id", "secret", null),
            new Column("region", "id", "kubeconfig_sealed", null),
            new Column("app_tls", "app_id", "key_sealed", null));
}
