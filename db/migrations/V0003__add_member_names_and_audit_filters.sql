-- Members are keyed by the identity provider's subject; the user name and address are kept for display and for
-- removing a member by name. Rows from before keep their subject (it was the user name) as the user name.
alter table membership add column username varchar(200);
alter table membership add column email varchar(320);
update membership set username = subject where username is null;
alter table membership alter column username set not null;
create index membership_username_idx on membership (tenant_id, username);

-- The audit log is filtered by actor, action and time across tenants (platform admins) and within one.
create index audit_event_at_idx on audit_event (at desc, id desc);
create index audit_event_actor_idx on audit_event (actor, at desc);
