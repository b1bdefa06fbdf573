-- Refused requests by people who are not members of the tenant they aimed at (or not admins, for platform
-- operations) are kept apart from the tenants' audit logs, so a stranger cannot fill a tenant's log. Writes are
-- rate-limited per source in the application; a suppressed count says how many were left out.
create table security_event (
    id          bigserial primary key,
    at          timestamptz   not null default now(),
    actor       varchar(200)  not null,
    source_ip   varchar(64),
    method      varchar(10)   not null,
    path        varchar(500)  not null,
    status      integer       not null check (status between 400 and 599),
    target      varchar(100),
    detail      varchar(1000),
    suppressed  integer       not null default 0 check (suppressed >= 0)
);
create index security_event_at_idx on security_event (at desc);
create index security_event_source_idx on security_event (source_ip, at desc);
