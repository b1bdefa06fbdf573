-- One job queue over the build, rollout and notification_delivery tables (dev.berth.jobs, ADR 0020): every queue
-- keeps its attempts, its last error and, once it failed too often, when it went to the dead letter. A job in the
-- dead letter is never claimed again; the CHECKs keep it in a state its enum allows for one.

alter table build add column last_error varchar(2000);
alter table build add column dead_at timestamptz;
-- A build in the dead letter gave up after its attempts: it is failed (BuildState.FAILED) and has no worker.
alter table build add constraint build_dead_check
    check (dead_at is null or (state = 'failed' and worker is null and last_error is not null));
alter table build add constraint build_attempts_check check (attempts >= 0);

-- attempts: the rollout's steps that failed in a row (an error, not a failed gate); a step that goes through
-- resets it. A rollout in the dead letter keeps its state (any RolloutState) and is stepped no more.
alter table rollout add column attempts integer not null default 0;
alter table rollout add column last_error varchar(2000);
alter table rollout add column dead_at timestamptz;
alter table rollout add constraint rollout_attempts_check check (attempts >= 0);
alter table rollout add constraint rollout_dead_check check (dead_at is null or last_error is not null);

alter table notification_delivery add column dead_at timestamptz;
alter table notification_delivery add constraint notification_delivery_attempts_check check (attempts >= 0);
-- A delivery in the dead letter failed for good.
alter table notification_delivery add constraint notification_delivery_dead_check
    check (dead_at is null or (state = 'failed' and last_error is not null));
alter table notification_delivery alter column last_error type varchar(2000);

create index build_dead_idx on build (dead_at) where dead_at is not null;
create index rollout_dead_idx on rollout (dead_at) where dead_at is not null;
