-- TLS for app hosts and custom domains, and CPU/memory samples per app (ADR 0026).

-- The cert-manager ClusterIssuer a region's apps get their certificates from (null: none in this region).
alter table region add column tls_issuer varchar(253);

-- An app's TLS: certificates from the region's cert-manager issuer, or one the tenant uploaded (the certificate
-- chain is public and kept as it is; the private key is sealed by SecretBox and never shown again). No row: HTTP only.
create table app_tls (
    app_id           bigint        primary key references app (id) on delete cascade,
    tenant_id        bigint        not null references tenant (id) on delete cascade,
    mode             varchar(20)   not null check (mode in ('cert-manager', 'uploaded')),
    ssl_redirect     boolean       not null default true,
    certificate_pem  text,
    key_sealed       text,
    subject          varchar(1000),
    issuer           varchar(1000),
    names            jsonb,
    not_before       timestamptz,
    not_after        timestamptz,
    version          bigint        not null default 0,
    created_at       timestamptz   not null default now(),
    updated_at       timestamptz   not null default now(),
    constraint app_tls_uploaded_has_certificate check (
        (mode = 'uploaded') = (certificate_pem is not null and key_sealed is not null and not_after is not null))
);
create index app_tls_tenant on app_tls (tenant_id);

-- What an app's pods used in a region, summed over its pods, as the cluster's metrics API reported it at the
-- start of each sampling interval (aligned to the epoch, so every instance names the same slot).
create table app_metric_sample (
    tenant_id     bigint      not null references tenant (id) on delete cascade,
    app_id        bigint      not null references app (id) on delete cascade,
    region_id     bigint      not null references region (id) on delete cascade,
    sampled_at    timestamptz not null,
    pods          integer     not null check (pods >= 0),
    cpu_millis    bigint      not null check (cpu_millis >= 0),
    memory_bytes  bigint      not null check (memory_bytes >= 0),
    primary key (app_id, region_id, sampled_at)
);
create index app_metric_sample_time on app_metric_sample (sampled_at);
create index app_metric_sample_tenant on app_metric_sample (tenant_id);
