-- A strategy change is a rollout of the live release onto the new strategy's Deployments (ADR 0009). The rollout
-- names the strategy it leaves; the app's layout keeps that strategy's serving Deployment (and the Service on its
-- pods while leaving_serves) until the new one is ready in every region and the Service has moved to it.
alter table rollout add column from_strategy varchar(20)
    check (from_strategy in ('rolling', 'recreate', 'blue-green', 'canary'));
alter table rollout drop constraint rollout_state_check;
alter table rollout add constraint rollout_state_check
    check (state in ('deploying', 'awaiting-promote', 'canary', 'holding', 'wave-paused', 'switching', 'succeeded',
                     'failed', 'aborted', 'superseded', 'switched-back'));
drop index rollout_one_active_per_app;
create unique index rollout_one_active_per_app on rollout (app_id)
    where state in ('deploying', 'awaiting-promote', 'canary', 'holding', 'wave-paused', 'switching');
drop index rollout_due_idx;
create index rollout_due_idx on rollout (next_run_at)
    where state in ('deploying', 'awaiting-promote', 'canary', 'holding', 'wave-paused', 'switching');

alter table app_deploy add column leaving_strategy varchar(20)
    check (leaving_strategy in ('rolling', 'recreate', 'blue-green', 'canary'));
alter table app_deploy add column leaving_serves boolean not null default false;
