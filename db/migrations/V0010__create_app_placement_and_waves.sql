-- Where each app runs: a primary region and replica regions (or every region its tenant may use), how replicas
-- serve (the full app, or an nginx edge cache in front of the primary), and how releases roll out across regions
-- (waves). The app's replicas count per region.
create table app_placement (
    app_id             bigint      primary key references app (id) on delete cascade,
    tenant_id          bigint      not null references tenant (id) on delete cascade,
    all_regions        boolean     not null default false,
    mode               varchar(20) not null default 'full' check (mode in ('full', 'edge-cache')),
    waves              jsonb,                -- [["eu"], ["us", "ap"]]; null: the primary first, then the rest
    pause_between_waves boolean    not null default false,
    cache_rules        jsonb       not null default '[]'::jsonb,
    cache_generation   integer     not null default 1 check (cache_generation > 0),
    updated_at         timestamptz not null default now()
);

create table app_region (
    app_id         bigint      not null references app (id) on delete cascade,
    tenant_id      bigint      not null references tenant (id) on delete cascade,
    region_id      bigint      not null references region (id),
    role           varchar(10) not null check (role in ('primary', 'replica')),
    -- While a release rolls out in waves: the release this region keeps running until its wave comes.
    pinned_release integer,
    primary key (app_id, region_id)
);
create index app_region_region_idx on app_region (region_id, tenant_id);
create unique index app_region_one_primary on app_region (app_id) where role = 'primary';

-- Existing apps keep running where they run: in every region of their tenant, the first by name as primary.
insert into app_placement (app_id, tenant_id, all_regions) select id, tenant_id, true from app;
insert into app_region (app_id, tenant_id, region_id, role)
select a.id, a.tenant_id, tr.region_id,
       case when r.name = (select min(r2.name) from region r2 join tenant_region tr2 on tr2.region_id = r2.id
                           where tr2.tenant_id = a.tenant_id) then 'primary' else 'replica' end
from app a join tenant_region tr on tr.tenant_id = a.tenant_id join region r on r.id = tr.region_id;

-- Rollouts in waves: the waves frozen when the rollout started, the wave in progress, and a pause between waves.
alter table rollout add column waves jsonb;
alter table rollout add column wave integer not null default 0 check (wave >= 0);
alter table rollout drop constraint rollout_state_check;
alter table rollout add constraint rollout_state_check
    check (state in ('deploying', 'awaiting-promote', 'canary', 'holding', 'wave-paused', 'succeeded', 'failed',
                     'aborted', 'superseded', 'switched-back'));
drop index rollout_one_active_per_app;
create unique index rollout_one_active_per_app on rollout (app_id)
    where state in ('deploying', 'awaiting-promote', 'canary', 'holding', 'wave-paused');
drop index rollout_due_idx;
create index rollout_due_idx on rollout (next_run_at)
    where state in ('deploying', 'awaiting-promote', 'canary', 'holding', 'wave-paused');
