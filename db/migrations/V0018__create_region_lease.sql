-- Which Berth instance reconciles each region. Every instance watches every region, but only the holder of a
-- region's lease writes to its cluster, so instances never undo each other's writes with a desired state read a
-- moment earlier. A lease is renewed well before it expires; one whose holder stopped renewing (crashed) is taken
-- over by the next instance that asks after it expired. Times are the database's clock, shared by all instances.
create table region_lease (
    region_id   bigint        primary key references region (id) on delete cascade,
    holder      varchar(200)  not null,
    expires_at  timestamptz   not null
);
