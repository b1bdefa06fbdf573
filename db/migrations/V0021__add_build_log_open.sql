-- A build's log is open while a worker may still append to it (from the claim until the worker's last line, after
-- the final state is recorded and the deploy is logged). A live log stream ends only once the build has finished
-- and its log is closed, so the end event never overtakes the last lines. Existing builds' logs are closed.
alter table build add column log_open boolean not null default false;
