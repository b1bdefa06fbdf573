-- Releases: immutable snapshots of what an app runs (image + config), numbered per app. Every deploy creates one;
-- a rollback creates a new release from an old one's snapshot.
create table release (
    id              bigserial primary key,
    tenant_id       bigint        not null references tenant (id) on delete cascade,
    app_id          bigint        not null references app (id) on delete cascade,
    number          integer       not null check (number > 0),
    image           varchar(500)  not null,
    config          jsonb         not null,            -- port, resources, health path, env, secret env (sealed)
    config_diff     jsonb         not null default '{}'::jsonb,  -- against the previous release; secrets by name only
    created_by_kind varchar(20)   not null check (created_by_kind in ('user', 'token', 'build', 'webhook')),
    created_by      varchar(200)  not null,
    source          varchar(500),                     -- build id, webhook delivery, ...
    rollback_of     integer,                          -- the release number this one restores
    status          varchar(20)   not null default 'pending'
        check (status in ('pending', 'deploying', 'live', 'failed', 'aborted', 'superseded', 'rolled-back')),
    reason          varchar(2000),
    created_at      timestamptz   not null default now(),
    finished_at     timestamptz,
    unique (app_id, number)
);
create index release_app_idx on release (app_id, number desc);

-- How an app is deployed (its strategy and settings) and which releases its Deployments run right now. Only the
-- release and rollout services change the running part, and only under a row lock on it.
create table app_deploy (
    app_id                    bigint      primary key references app (id) on delete cascade,
    strategy                  varchar(20) not null default 'rolling'
        check (strategy in ('rolling', 'recreate', 'blue-green', 'canary')),
    max_surge                 varchar(10) not null default '25%',
    max_unavailable           varchar(10) not null default '0',
    auto_promote              boolean     not null default true,
    hold_seconds              integer     not null default 300 check (hold_seconds >= 0),
    progress_deadline_seconds integer     not null default 600 check (progress_deadline_seconds > 0),
    canary_weight             integer     not null default 10 check (canary_weight between 1 and 99),
    -- running state
    live_color                varchar(10) not null default 'blue' check (live_color in ('blue', 'green')),
    live_release              integer,   -- release on the live colour (blue/green), the stable track, or the Deployment
    idle_release              integer,   -- release on the idle colour (blue/green) or the canary track
    idle_replicas             integer     not null default 0 check (idle_replicas >= 0),
    version                   bigint      not null default 0
);

-- Rollouts: the state machine of one release reaching the clusters, and the work queue the rollout engine claims
-- with FOR UPDATE SKIP LOCKED (several Berth instances may run it). At most one active rollout per app.
create table rollout (
    id             bigserial primary key,
    tenant_id      bigint       not null references tenant (id) on delete cascade,
    app_id         bigint       not null references app (id) on delete cascade,
    release_id     bigint       not null references release (id) on delete cascade,
    strategy       varchar(20)  not null,
    state          varchar(20)  not null
        check (state in ('deploying', 'awaiting-promote', 'canary', 'holding', 'succeeded', 'failed', 'aborted',
                         'superseded', 'switched-back')),
    target_color   varchar(10),
    previous_color varchar(10),
    previous_release integer,
    reason         varchar(2000),
    deadline_at    timestamptz,
    hold_until     timestamptz,
    next_run_at    timestamptz  not null default now(),
    created_at     timestamptz  not null default now(),
    updated_at     timestamptz  not null default now(),
    finished_at    timestamptz
);
create unique index rollout_one_active_per_app on rollout (app_id)
    where state in ('deploying', 'awaiting-promote', 'canary', 'holding');
create index rollout_due_idx on rollout (next_run_at)
    where state in ('deploying', 'awaiting-promote', 'canary', 'holding');
create index rollout_app_idx on rollout (app_id, id desc);

-- Existing apps: settings with defaults, and their current state as release 1.
insert into app_deploy (app_id, live_release) select id, 1 from app;
insert into release (tenant_id, app_id, number, image, config, created_by_kind, created_by, status, finished_at)
select tenant_id, id, 1, image,
       jsonb_build_object('port', port, 'cpuRequestMillis', cpu_request_millis, 'cpuLimitMillis', cpu_limit_millis,
                          'memoryRequestBytes', memory_request_bytes, 'memoryLimitBytes', memory_limit_bytes,
                          'healthPath', health_path, 'env', env, 'secretEnv', secret_env),
       'user', 'migration', 'live', now()
from app;
