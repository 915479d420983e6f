-- Idempotency-Key records for notify-service's POSTs (webhook registration, retry), as match-service has.
create table notify.idempotency_keys (
  scope text not null,
  key text not null,
  request_hash text not null,
  status_code int not null,
  response jsonb not null,
  created_at timestamptz not null,
  primary key (scope, key)
);
