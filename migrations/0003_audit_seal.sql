-- Tamper evidence for audit.events (NEN 7513): a SHA-256 hash chain over every committed event, in the
-- order the sealer seals them, with Ed25519-signed checkpoints of the chain head that others can keep.

-- The top-level transaction that inserted the event. The sealer only has to look at events from
-- transactions that were still running (or not yet started) when its previous run took its snapshot,
-- so it never rescans the whole log, yet cannot miss an event whose transaction committed late (out of
-- id order). pg_current_xact_id() is 64-bit (no wraparound) and, inside a savepoint, the top-level id.
alter table audit.events
  add column xact_id bigint not null default (pg_current_xact_id()::text::bigint);
create index events_xact_idx on audit.events (xact_id);

-- Filtered queries (organisation view per employee, per action) and the keyset cursor
-- (occurred_at, id); the subject index of 0001 serves the subject report.
create index events_actor_idx on audit.events (actor_id, occurred_at);
create index events_action_idx on audit.events (action, occurred_at);

-- One row per sealed event: seq is its gapless position in the chain, hash = SHA-256 over the previous
-- hash, seq and the canonical serialisation of every column of the event row (README: "Audit trail").
-- No foreign key to the event: verification already reports a seal whose event is gone, and a key check
-- per seal would halve the sealer's speed and lock every event it seals.
create table audit.seals (
  seq bigint primary key check (seq > 0),
  event_id bigint not null unique,
  prev_hash text not null check (prev_hash ~ '^[0-9a-f]{64}$'),
  hash text not null check (hash ~ '^[0-9a-f]{64}$'),
  sealed_at timestamptz not null
);

-- Signed statements of the chain head after a sealing run ('seal') or of where the retained chain
-- starts after a retention purge ('purge'). horizon is the oldest transaction still running when the
-- run took its snapshot: every event of an older transaction was sealed by that run or an earlier one.
create table audit.checkpoints (
  id bigint generated always as identity primary key,
  kind text not null check (kind in ('seal', 'purge')),
  count bigint not null check (count >= 0),
  head text not null check (head ~ '^[0-9a-f]{64}$'),
  sealed_at timestamptz not null,
  retained_from timestamptz,
  horizon bigint not null,
  key_id text not null,
  signature text not null,
  check ((kind = 'purge') = (retained_from is not null))
);
create index checkpoints_count_idx on audit.checkpoints (count);

-- Seals and checkpoints are append-only like the events: audit.refuse_change (0001) lets only the
-- retention purge delete, under its transaction-local flag `audit.purge`.
create trigger seals_append_only
  before update or delete on audit.seals
  for each row execute function audit.refuse_change();
create trigger seals_no_truncate
  before truncate on audit.seals
  for each statement execute function audit.refuse_truncate();
create trigger checkpoints_append_only
  before update or delete on audit.checkpoints
  for each row execute function audit.refuse_change();
create trigger checkpoints_no_truncate
  before truncate on audit.checkpoints
  for each statement execute function audit.refuse_truncate();
