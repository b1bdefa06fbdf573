-- An app's optional autoscaler: Berth writes a HorizontalPodAutoscaler for its serving Deployment when
-- autoscale_max_replicas is set (the four columns are set or cleared together). The portal's quota counts
-- autoscale_max_replicas, not the minimum, since the autoscaler may scale up to it at any time.
alter table app
    add column autoscale_min_replicas   integer,
    add column autoscale_max_replicas   integer,
    add column autoscale_cpu_percent    integer,
    add column autoscale_memory_percent integer,
    add constraint app_autoscale_set_together check (
        (autoscale_max_replicas is null and autoscale_min_replicas is null and autoscale_cpu_percent is null
            and autoscale_memory_percent is null)
        or (autoscale_max_replicas is not null and autoscale_min_replicas is not null
            and autoscale_cpu_percent is not null)),
    add constraint app_autoscale_bounds check (
        autoscale_min_replicas >= 1 and autoscale_max_replicas >= autoscale_min_replicas
        and autoscale_cpu_percent between 1 and 100
        and (autoscale_memory_percent is null or autoscale_memory_percent between 1 and 100));
