-- Regions registered by platform admins: where they are (for the map), a kubeconfig stored sealed with the
-- secrets key (AES-GCM, never shown again), and whether tenants created later may use them.
alter table region add column city                varchar(100);
alter table region add column latitude            double precision check (latitude between -90 and 90);
alter table region add column longitude           double precision check (longitude between -180 and 180);
alter table region add column kubeconfig_sealed   text;
alter table region add column open_to_new_tenants boolean     not null default true;
alter table region add column updated_at          timestamptz not null default now();
