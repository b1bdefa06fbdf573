-- Worker and cron processes of an app, and its optional release command: part of the app's configuration, so
-- they are snapshotted into every release (release.config) like env and resources. A JSON list (one object per
-- process, validated by the portal) and a JSON list of strings (the command's argv), or null.
alter table app
    add column processes       jsonb not null default '[]'::jsonb,
    add column release_command jsonb,
    add constraint app_processes_is_array check (jsonb_typeof(processes) = 'array'),
    add constraint app_release_command_is_array check (release_command is null
        or jsonb_typeof(release_command) = 'array');

-- One run of a command from an app's release, as a Kubernetes Job in one region: a one-off run, or the release
-- command a rollout runs before its release takes traffic. The result (exit code, last log lines) is kept here
-- after the Job is gone.
create table process_run (
    id              bigserial primary key,
    tenant_id       bigint        not null references tenant (id) on delete cascade,
    app_id          bigint        not null references app (id) on delete cascade,
    region_id       bigint        not null references region (id) on delete cascade,
    kind            varchar(20)   not null check (kind in ('run', 'release')),
    release_number  integer       not null,
    rollout_id      bigint        references rollout (id) on delete set null,
    image           varchar(1000) not null,
    command         jsonb         not null check (jsonb_typeof(command) = 'array'),
    job_name        varchar(63)   not null,
    state           varchar(20)   not null default 'pending'
        check (state in ('pending', 'running', 'succeeded', 'failed', 'lost')),
    exit_code       integer,
    reason          varchar(2000),
    log_tail        text,
    created_by      varchar(200)  not null,
    created_at      timestamptz   not null default now(),
    started_at      timestamptz,
    finished_at     timestamptz,
    version         bigint        not null default 0,
    constraint process_run_finished_has_time check (state in ('pending', 'running') or finished_at is not null)
);
create index process_run_app_idx on process_run (app_id, id desc);
create index process_run_open_idx on process_run (region_id) where state in ('pending', 'running');

-- A rollout may first run its release's command (the release takes no traffic before it exited 0).
alter table rollout drop constraint rollout_state_check;
alter table rollout add constraint rollout_state_check
    check (state in ('release-command', 'deploying', 'awaiting-promote', 'canary', 'holding', 'wave-paused',
                     'switching', 'succeeded', 'failed', 'aborted', 'superseded', 'switched-back'));

-- A running one-off run holds one pod of the app's size against the tenant's quota.
alter table quota_reservation drop constraint quota_reservation_kind_check;
alter table quota_reservation add constraint quota_reservation_kind_check
    check (kind in ('rollout', 'build', 'run'));
