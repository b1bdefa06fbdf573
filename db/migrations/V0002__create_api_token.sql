-- API tokens for CI: shown once, stored only as a SHA-256 hash, scoped to one tenant (optionally one app).
create table api_token (
    id           bigserial primary key,
    tenant_id    bigint       not null references tenant (id) on delete cascade,
    app_name     varchar(40),
    name         varchar(100) not null,
    role         varchar(20)  not null check (role in ('owner', 'developer', 'viewer')),
    token_hash   char(64)     not null unique,
    prefix       varchar(16)  not null,
    created_by   varchar(200) not null,
    created_at   timestamptz  not null default now(),
    expires_at   timestamptz  not null,
    revoked_at   timestamptz,
    last_used_at timestamptz,
    unique (tenant_id, name)
);
create index api_token_tenant_idx on api_token (tenant_id);
