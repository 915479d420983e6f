-- notify-service: the events it received, the webhooks organisations registered, and one notification
-- per (event, recipient, channel), recorded before anything is sent so a restart neither forgets one nor
-- creates one twice.

-- An event from match-service's queue as notify-service parsed it: ids, organisations and contacts only,
-- never a BSN, subject key, birth date or address (the contract in packages/shared/src/events.ts; unknown
-- fields are dropped on parsing). Kept while any of its notifications is, for rendering at send time.
create table notify.events (
  id uuid primary key,
  type text not null,
  occurred_at timestamptz not null,
  match_id text,
  registration_id text,
  payload jsonb not null,
  received_at timestamptz not null
);
create index events_received_idx on notify.events (received_at);

-- A school's or police system's endpoint. The secret signs deliveries (Standard Webhooks) and is shown
-- only in the answer that creates it; a deleted webhook keeps its row (notifications refer to it) but
-- loses its secret.
create table notify.webhooks (
  id uuid primary key,
  organisation_id text not null,
  url text not null,
  secret text,
  created_at timestamptz not null,
  created_by text not null,
  deleted_at timestamptz,
  check ((deleted_at is null) = (secret is not null))
);
create index webhooks_organisation_idx on notify.webhooks (organisation_id, created_at) where deleted_at is null;

-- One notification per (event, recipient, channel): the recipient is the e-mail address (lower case) or
-- the webhook id. The id is derived from that key, so a redelivered queue job recreates nothing and the
-- Message-ID / webhook-id stays the same for every attempt.
--
-- Sending: pending → sent | failed (a temporary failure; retried from next_attempt_at) | dead (permanent
-- failure, or out of attempts; an admin may re-queue it). A worker claims a due row by setting
-- claimed_until (a lease) and claim_token; only the holder of the token may record the outcome. A worker
-- that dies holding claims leaves them to be taken again when the lease runs out.
create table notify.notifications (
  id uuid primary key,
  event_id uuid not null references notify.events (id) on delete cascade,
  channel text not null check (channel in ('email', 'webhook')),
  recipient text not null,
  organisation_id text not null,
  webhook_id uuid references notify.webhooks (id),
  message_id text not null,
  language text not null check (language in ('nl', 'en')),
  status text not null check (status in ('pending', 'sent', 'failed', 'dead')),
  attempts int not null default 0,
  next_attempt_at timestamptz,
  claimed_until timestamptz,
  claim_token uuid,
  last_error text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  sent_at timestamptz,
  unique (event_id, recipient, channel),
  check ((channel = 'webhook') = (webhook_id is not null))
);
create index notifications_due_idx on notify.notifications (next_attempt_at)
  where status in ('pending', 'failed');
create index notifications_organisation_idx on notify.notifications (organisation_id, created_at desc, id desc);
create index notifications_created_idx on notify.notifications (created_at desc, id desc);
create index notifications_webhook_idx on notify.notifications (webhook_id) where webhook_id is not null;
