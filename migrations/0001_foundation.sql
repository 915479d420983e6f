-- One schema per service; each service owns its tables and they meet only through pg-boss's queue.
create schema if not exists match;
create schema if not exists notify;
create schema if not exists audit;

-- A fingerprint of SUBJECT_KEY_SECRET: start-up refuses a different key, which would silently break
-- every match (no stored subject key could ever be found again).
create table match.subject_key_fingerprint (
  id boolean primary key default true check (id),
  fingerprint text not null,
  created_at timestamptz not null default now()
);

-- NEN 7513 access log. Holds the subject key (pseudonym), never a BSN.
create table audit.events (
  id bigint generated always as identity primary key,
  occurred_at timestamptz not null,
  service text not null,
  action text not null,
  outcome text not null check (outcome in ('success', 'denied', 'error')),
  actor_id text,
  actor_organisation text,
  actor_roles text[] not null default '{}',
  actor_on_behalf_of text,
  subject_key text,
  resource_type text,
  resource_id text,
  request_id text,
  client_ip text,
  user_agent text,
  purpose text
);
create index events_subject_idx on audit.events (subject_key, occurred_at) where subject_key is not null;
create index events_occurred_idx on audit.events (occurred_at);
create index events_actor_org_idx on audit.events (actor_organisation, occurred_at);

-- The trail is append-only. Only the retention purge may delete, by setting the transaction-local flag
-- `set local audit.purge = 'on'` first.
create function audit.refuse_change() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' and coalesce(current_setting('audit.purge', true), '') = 'on' then
    return old;
  end if;
  raise exception 'audit events are append-only (% refused)', tg_op using errcode = 'insufficient_privilege';
end;
$$;

create trigger events_append_only
  before update or delete on audit.events
  for each row execute function audit.refuse_change();

create function audit.refuse_truncate() returns trigger language plpgsql as $$
begin
  raise exception 'audit events are append-only (TRUNCATE refused)' using errcode = 'insufficient_privilege';
end;
$$;

create trigger events_no_truncate
  before truncate on audit.events
  for each statement execute function audit.refuse_truncate();
