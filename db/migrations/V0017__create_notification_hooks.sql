-- Outgoing notifications: an app's hooks (URLs Berth POSTs signed events to) and the delivery queue, so a
-- delivery survives a restart of Berth and is retried with backoff until the receiver answers 2xx.
create table notification_hook (
    id          bigserial     primary key,
    tenant_id   bigint        not null references tenant (id) on delete cascade,
    app_id      bigint        not null references app (id) on delete cascade,
    url         varchar(500)  not null,
    events      varchar(200)  not null,
    secret      text          not null,              -- sealed (AES-GCM); shown once, when the hook is created
    created_by  varchar(200)  not null,
    created_at  timestamptz   not null default now()
);
create index notification_hook_app on notification_hook (app_id);

create table notification_delivery (
    id               bigserial     primary key,
    tenant_id        bigint        not null references tenant (id) on delete cascade,
    hook_id          bigint        not null references notification_hook (id) on delete cascade,
    event            varchar(40)   not null,
    build_id         bigint        references build (id) on delete cascade,   -- set for build events
    payload          text          not null,
    state            varchar(20)   not null default 'pending' check (state in ('pending', 'delivered', 'failed')),
    attempts         integer       not null default 0,
    next_attempt_at  timestamptz   not null default now(),
    last_status      integer,
    last_error       varchar(1000),
    created_at       timestamptz   not null default now(),
    delivered_at     timestamptz
);
create index notification_delivery_due on notification_delivery (next_attempt_at) where state = 'pending';
create index notification_delivery_hook on notification_delivery (hook_id, id desc);
-- A build's event is queued once per hook, however often its end is reported.
create unique index notification_delivery_once on notification_delivery (hook_id, build_id, event)
    where build_id is not null;
