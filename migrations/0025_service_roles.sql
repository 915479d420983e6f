-- Least privilege for the services (issue 13). Roles are cluster-wide and carry passwords, so a
-- migration does not create them: `npm run db:roles` does (names from VERWIJSINDEX_ROLE_*), records
-- them here and calls verwijsindex_grant(). Migrations only grant: this one, and `npm run migrate`
-- calls the function again after pg-boss's schema, so a role that does not exist yet is simply skipped.
create table if not exists public.verwijsindex_roles (
  service text primary key check (service in ('match', 'notify', 'audit', 'console')),
  role_name name not null
);

create or replace function public.verwijsindex_grant() returns void language plpgsql as $$
declare
  r record;
  has_pgboss boolean := exists (select 1 from pg_namespace where nspname = 'pgboss');
begin
  for r in
    select v.service, v.role_name from public.verwijsindex_roles v
    where exists (select 1 from pg_roles where rolname = v.role_name)
  loop
    execute format('grant connect on database %I to %I', current_database(), r.role_name);
    -- Its own schema: rows, not structure.
    execute format('grant usage on schema %I to %I', r.service, r.role_name);
    execute format('grant select, insert, update, delete on all tables in schema %I to %I', r.service, r.role_name);
    execute format('grant usage, select on all sequences in schema %I to %I', r.service, r.role_name);
    execute format('alter default privileges in schema %I grant select, insert, update, delete on tables to %I',
      r.service, r.role_name);
    execute format('alter default privileges in schema %I grant usage, select on sequences to %I', r.service, r.role_name);
    -- What every service's kernel reads or writes outside its schema: organisations (the organisation
    -- check), the subject-key fingerprint, and its own audit events (insert only).
    execute format('grant usage on schema match, audit to %I', r.role_name);
    execute format('grant select on match.organisations to %I', r.role_name);
    execute format('grant select, insert on match.subject_key_fingerprint to %I', r.role_name);
    execute format('grant insert on audit.events to %I', r.role_name);
    -- Only the audit service reads the trail, seals it and deletes from it (still only under the
    -- purge flag the trigger demands); update stays refused by the trigger for everybody.
    if r.service <> 'audit' then
      execute format('revoke update, delete on all tables in schema audit from %I', r.role_name);
    end if;
    -- The job queue: rows and functions in pgboss (queues are created by `npm run migrate`).
    if has_pgboss then
      execute format('grant usage on schema pgboss to %I', r.role_name);
      execute format('grant select, insert, update, delete on all tables in schema pgboss to %I', r.role_name);
      execute format('grant usage, select on all sequences in schema pgboss to %I', r.role_name);
      execute format('grant execute on all functions in schema pgboss to %I', r.role_name);
    end if;
  end loop;
end;
$$;

select public.verwijsindex_grant();
