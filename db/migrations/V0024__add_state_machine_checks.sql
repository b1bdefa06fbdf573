-- State columns hold exactly the states of their enums (ADR 0017): RolloutState, BuildState, RegionHealth, WaveState.
-- The rollout and build checks already listed those values (V0019, V0006); they are restated here beside the new
-- ones, under the same names, so one migration shows every state check. StateConstraintsTest compares them with
-- the enums.

alter table rollout drop constraint rollout_state_check;
alter table rollout add constraint rollout_state_check
    check (state in ('deploying', 'awaiting-promote', 'canary', 'holding', 'wave-paused', 'switching', 'succeeded',
                     'failed', 'aborted', 'superseded', 'switched-back'));

-- The wave in progress is one of the rollout's waves (a rollout without waves stays at 0). The waves are frozen
-- when the rollout starts, and the wave only advances while a next one exists.
alter table rollout add constraint rollout_wave_in_waves_check
    check (case when jsonb_typeof(waves) = 'array' then wave < jsonb_array_length(waves) else wave = 0 end);

alter table build drop constraint build_state_check;
alter table build add constraint build_state_check
    check (state in ('queued', 'cloning', 'building', 'pushing', 'succeeded', 'failed', 'cancelled'));

-- A region's health is the boolean column reachable (null: unknown, never probed). It is unreachable exactly while
-- unreachable_since is set: every write sets both together (Region.moveHealth).
alter table region add constraint region_health_check
    check ((reachable is false) = (unreachable_since is not null));
