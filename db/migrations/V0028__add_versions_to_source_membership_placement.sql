-- Optimistic locking for the rest of what the API changes: an app's build source, a membership's role and an app's
-- placement carry a version like tenants, apps, plans and deploy settings do. A write based on an older version
-- (a stale If-Match, or a concurrent commit) is refused with 409 instead of overwriting the other change.
alter table app_source add column version bigint not null default 0;
alter table membership add column version bigint not null default 0;
alter table app_placement add column version bigint not null default 0;
