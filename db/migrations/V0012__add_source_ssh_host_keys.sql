-- SSH host keys of an app's Git server: known_hosts lines the tenant gave (only those keys are accepted), or the
-- key pinned on first use (trust on first use) with its SHA256 fingerprint and when it was pinned.

alter table app_source add column ssh_known_hosts     text;
alter table app_source add column ssh_host_key        text;          -- "<type> <base64>", pinned on first use
alter table app_source add column ssh_host_key_sha256 varchar(100);  -- "SHA256:...", of ssh_host_key
alter table app_source add column ssh_host_key_pinned_at timestamptz;
