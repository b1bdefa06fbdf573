-- A build's log is open while a worker may still append to it (from the claim until the worker's last line, after
-- the final state is recorded and the deploy is logged). A live log stream ends only once the build has finished
-- and its log is closed, so the end event never overtakes the last lines. Existing builds' logs are closed.
alter table build add column log_open boolean not null default false;
-- The recovery closes logs left open by a worker that died after the final state; few rows are ever open.
create index build_log_open_idx on build (id) where log_open;
