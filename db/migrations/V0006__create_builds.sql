-- Builds from Git: an app's repository connection, the build queue (claimed by workers with
-- FOR UPDATE SKIP LOCKED), each build's log, and webhook deliveries already seen (de-duplication).

create table app_source (
    app_id                bigint        primary key references app (id) on delete cascade,
    repo_url              varchar(500)  not null,
    git_ref               varchar(200)  not null,            -- branch or tag
    sub_dir               varchar(300),
    dockerfile            varchar(300)  not null default 'Dockerfile',
    build_args            jsonb         not null default '{}'::jsonb,
    auth_kind             varchar(10)   not null default 'none' check (auth_kind in ('none', 'token', 'ssh-key')),
    auth_user             varchar(100),
    auth_secret           text,                               -- token or private key, sealed (AES-GCM)
    webhook_secret        text          not null,             -- sealed
    updated_at            timestamptz   not null default now()
);

create table build (
    id               bigserial     primary key,
    tenant_id        bigint        not null references tenant (id) on delete cascade,
    app_id           bigint        not null references app (id) on delete cascade,
    number           integer       not null,
    state            varchar(20)   not null check (state in
                         ('queued', 'cloning', 'building', 'pushing', 'succeeded', 'failed', 'cancelled')),
    trigger_kind     varchar(20)   not null,                  -- api, ui, webhook
    requested_by     varchar(200)  not null,
    requested_sha    varchar(64),
    git_ref          varchar(200),
    commit_sha       varchar(64),
    commit_message   varchar(2000),
    commit_author    varchar(300),
    strategy         varchar(20),                             -- dockerfile, static, jar
    detected         varchar(1000),
    image_ref        varchar(600),
    image_digest     varchar(80),
    inputs_key       varchar(64),                             -- hash of what the image was built from
    failure_reason   varchar(2000),
    attempts         integer       not null default 0,
    cancel_requested boolean       not null default false,
    worker           varchar(200),
    heartbeat_at     timestamptz,
    queued_at        timestamptz   not null default now(),
    started_at       timestamptz,
    finished_at      timestamptz,
    unique (app_id, number)
);
create index build_queued_idx on build (queued_at) where state = 'queued';
create index build_running_idx on build (tenant_id) where state in ('cloning', 'building', 'pushing');
create index build_app_idx on build (app_id, number desc);

create table build_log (
    build_id  bigint       not null references build (id) on delete cascade,
    seq       integer      not null,
    at        timestamptz  not null default now(),
    line      text         not null,
    primary key (build_id, seq)
);

create table webhook_delivery (
    app_id       bigint        not null references app (id) on delete cascade,
    delivery_id  varchar(200)  not null,
    received_at  timestamptz   not null default now(),
    primary key (app_id, delivery_id)
);
