-- Replicas per region: null runs the app's own replicas in that region, a number (0 or more) overrides it there.
alter table app_region add column replicas integer check (replicas >= 0);

-- DNS publishing: whether the region's cluster runs external-dns for the apps' global hostnames (null: only the
-- configured default region does), and what its reconciler last found ("external-dns CRD not installed", ...).
alter table region add column publishes_dns boolean;
alter table region add column dns_status    varchar(300);
