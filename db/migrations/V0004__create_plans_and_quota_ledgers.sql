-- Plans that platform admins manage, per-tenant overrides, and the ledgers the quota service keeps: reservations
-- for short-lived extra footprint (rollouts, running builds), build time per month, and usage history.

create table plan (
    id                      bigserial primary key,
    name                    varchar(40)  not null unique,
    display_name            varchar(100) not null,
    cpu_request_millis      integer      not null check (cpu_request_millis > 0),
    cpu_limit_millis        integer      not null check (cpu_limit_millis >= cpu_request_millis),
    memory_request_bytes    bigint       not null check (memory_request_bytes > 0),
    memory_limit_bytes      bigint       not null check (memory_limit_bytes >= memory_request_bytes),
    max_pods                integer      not null check (max_pods > 0),
    max_apps                integer      not null check (max_apps > 0),
    max_replicas_per_app    integer      not null check (max_replicas_per_app > 0),
    max_concurrent_builds   integer      not null check (max_concurrent_builds >= 0),
    build_minutes_per_month integer      not null check (build_minutes_per_month >= 0),
    max_regions             integer      not null check (max_regions > 0),
    max_custom_domains      integer      not null check (max_custom_domains >= 0),
    version                 bigint       not null default 0,
    created_at              timestamptz  not null default now(),
    updated_at              timestamptz  not null default now()
);

insert into plan (name, display_name, cpu_request_millis, cpu_limit_millis, memory_request_bytes, memory_limit_bytes,
                  max_pods, max_apps, max_replicas_per_app, max_concurrent_builds, build_minutes_per_month,
                  max_regions, max_custom_domains)
values ('free', 'Free', 1000, 2000, 1073741824, 2147483648, 10, 3, 2, 1, 100, 1, 0),
       ('team', 'Team', 4000, 8000, 8589934592, 17179869184, 40, 20, 5, 2, 1000, 2, 5),
       ('business', 'Business', 16000, 32000, 34359738368, 68719476736, 200, 100, 20, 5, 5000, 5, 50);

-- The tenant's limit columns become per-tenant overrides of its plan (null: the plan's value). Existing tenants
-- move to the Team plan and keep the limits they had as overrides, so nothing changes for them.
alter table tenant add column plan_id bigint references plan (id);
update tenant set plan_id = (select id from plan where name = 'team');
alter table tenant alter column plan_id set not null;
create index tenant_plan_idx on tenant (plan_id);

alter table tenant add column cpu_request_millis      integer check (cpu_request_millis > 0);
alter table tenant add column cpu_limit_millis        integer check (cpu_limit_millis > 0);
alter table tenant add column memory_request_bytes    bigint  check (memory_request_bytes > 0);
alter table tenant add column memory_limit_bytes      bigint  check (memory_limit_bytes > 0);
alter table tenant add column max_replicas_per_app    integer check (max_replicas_per_app > 0);
alter table tenant add column max_concurrent_builds   integer check (max_concurrent_builds >= 0);
alter table tenant add column build_minutes_per_month integer check (build_minutes_per_month >= 0);
alter table tenant add column max_regions             integer check (max_regions > 0);
alter table tenant add column max_custom_domains      integer check (max_custom_domains >= 0);
update tenant set cpu_request_millis = cpu_millis, cpu_limit_millis = cpu_millis,
                  memory_request_bytes = memory_bytes, memory_limit_bytes = memory_bytes;
alter table tenant drop column cpu_millis;
alter table tenant drop column memory_bytes;
alter table tenant alter column max_pods drop not null;
alter table tenant alter column max_apps drop not null;

-- Footprint held for a while on top of the apps' own: the second colour of a blue/green rollout, a canary's extra
-- replicas, a running build (which holds one concurrent-build slot). Expired rows no longer count.
create table quota_reservation (
    tenant_id            bigint       not null references tenant (id) on delete cascade,
    kind                 varchar(20)  not null check (kind in ('rollout', 'build')),
    ref                  varchar(200) not null,
    pods                 integer      not null default 0,
    cpu_request_millis   bigint       not null default 0,
    cpu_limit_millis     bigint       not null default 0,
    memory_request_bytes bigint       not null default 0,
    memory_limit_bytes   bigint       not null default 0,
    created_at           timestamptz  not null default now(),
    expires_at           timestamptz  not null,
    primary key (tenant_id, kind, ref)
);

-- Build time per tenant and calendar month (UTC), from actual durations of every build, whatever its outcome.
create table build_usage (
    tenant_id  bigint  not null references tenant (id) on delete cascade,
    month      date    not null,
    seconds    bigint  not null default 0 check (seconds >= 0),
    builds     integer not null default 0,
    primary key (tenant_id, month)
);

-- Usage history: one sample per tenant per interval (the primary key makes a second instance's sample a no-op).
create table usage_sample (
    tenant_id            bigint      not null references tenant (id) on delete cascade,
    sampled_at           timestamptz not null,
    apps                 integer     not null,
    pods                 integer     not null,
    cpu_request_millis   bigint      not null,
    cpu_limit_millis     bigint      not null,
    memory_request_bytes bigint      not null,
    memory_limit_bytes   bigint      not null,
    build_seconds_month  bigint      not null,
    limit_apps           integer     not null,
    limit_pods           integer     not null,
    limit_cpu_request    bigint      not null,
    limit_memory_request bigint      not null,
    limit_build_minutes  integer     not null,
    primary key (tenant_id, sampled_at)
);
create index usage_sample_at_idx on usage_sample (sampled_at);
