-- Blue/green and canary releases in waves: while an app's regions run different layouts (a wave whose idle colour
-- or canary has not started yet, or a rollout stopped part-way), each such region has its own layout here: the
-- colour its Service selects, the release each of its two Deployments runs and the idle colour's (or canary's)
-- replicas. Regions without a row follow the app's app_deploy row.
create table region_deploy (
    app_id        bigint      not null,
    region_id     bigint      not null,
    live_color    varchar(10) not null check (live_color in ('blue', 'green')),
    live_release  integer,
    idle_release  integer,
    idle_replicas integer     not null default 0 check (idle_replicas >= 0),
    primary key (app_id, region_id),
    foreign key (app_id, region_id) references app_region (app_id, region_id) on delete cascade
);
create index region_deploy_region_idx on region_deploy (region_id);
