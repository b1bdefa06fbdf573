-- How long one build of a tenant may run: per plan, with an optional per-tenant override (null: the plan's). The
-- API speaks whole minutes (1 to 1440); seconds are stored so the limit is exact. The platform-wide
-- berth.builds.timeout still caps every build.

alter table plan add column build_timeout_seconds integer not null default 1800
    check (build_timeout_seconds > 0 and build_timeout_seconds <= 86400);
update plan set build_timeout_seconds = 600 where name = 'free';
update plan set build_timeout_seconds = 3600 where name = 'business';

alter table tenant add column build_timeout_seconds integer
    check (build_timeout_seconds > 0 and build_timeout_seconds <= 86400);
