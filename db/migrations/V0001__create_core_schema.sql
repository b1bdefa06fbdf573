-- Desired state and history of the portal. Clusters hold the running state; reconcilers converge them to this.

create table region (
    id                 bigserial primary key,
    name               varchar(40)  not null unique,
    display_name       varchar(100) not null,
    base_domain        varchar(200) not null,
    ingress_class      varchar(100),
    ingress_namespace  varchar(63)  not null default 'ingress-nginx',
    connection_kind    varchar(20)  not null,           -- SANDBOX, KUBECONFIG, IN_CLUSTER
    kubeconfig_path    varchar(500),
    kube_context       varchar(200),
    simulated          boolean      not null default false,
    -- health, written by the region health loop
    reachable          boolean,
    unreachable_since  timestamptz,
    last_ok_at         timestamptz,
    last_sync_at       timestamptz,
    kubernetes_version varchar(40),
    latency_ms         integer,
    last_error         varchar(1000),
    created_at         timestamptz  not null default now()
);

create table tenant (
    id             bigserial primary key,
    slug           varchar(30)  not null unique,
    display_name   varchar(100) not null,
    cpu_millis     integer      not null check (cpu_millis > 0),
    memory_bytes   bigint       not null check (memory_bytes > 0),
    max_pods       integer      not null check (max_pods > 0),
    max_apps       integer      not null check (max_apps > 0),
    version        bigint       not null default 0,
    created_at     timestamptz  not null default now(),
    updated_at     timestamptz  not null default now(),
    created_by     varchar(200) not null
);

-- The regions a tenant may use; it gets a namespace in each.
create table tenant_region (
    tenant_id  bigint not null references tenant (id) on delete cascade,
    region_id  bigint not null references region (id),
    primary key (tenant_id, region_id)
);

create table membership (
    tenant_id  bigint       not null references tenant (id) on delete cascade,
    subject    varchar(200) not null,
    role       varchar(20)  not null check (role in ('owner', 'developer', 'viewer')),
    created_at timestamptz  not null default now(),
    primary key (tenant_id, subject)
);
create index membership_subject_idx on membership (subject);

create table app (
    id                   bigserial primary key,
    tenant_id            bigint       not null references tenant (id) on delete cascade,
    name                 varchar(40)  not null,
    image                varchar(500) not null,
    port                 integer      not null check (port between 1 and 65535),
    replicas             integer      not null check (replicas >= 0),
    cpu_request_millis   integer      not null,
    cpu_limit_millis     integer      not null,
    memory_request_bytes bigint       not null,
    memory_limit_bytes   bigint       not null,
    health_path          varchar(200),
    custom_domain        varchar(253) unique,
    env                  jsonb        not null default '{}'::jsonb,
    secret_env           jsonb        not null default '{}'::jsonb,  -- values encrypted (AES-GCM)
    version              bigint       not null default 0,
    created_at           timestamptz  not null default now(),
    updated_at           timestamptz  not null default now(),
    unique (tenant_id, name)
);

-- Who did what, when, with which result. No foreign keys: records outlive the tenant or app they describe.
create table audit_event (
    id          bigserial primary key,
    at          timestamptz  not null default now(),
    actor       varchar(200) not null,
    tenant_id   bigint,
    tenant_slug varchar(30),
    app_name    varchar(40),
    action      varchar(60)  not null,
    summary     varchar(2000) not null,
    changes     jsonb,
    source_ip   varchar(64),
    result      varchar(20)  not null default 'ok'
);
create index audit_event_tenant_idx on audit_event (tenant_id, at desc);
create index audit_event_app_idx on audit_event (tenant_id, app_name, at desc);
