-- web-console: its sessions, shared by every console replica. The access token the services verify lives
-- here, server-side; the browser holds only a random session id, of which this table keeps a SHA-256 hash.
create schema if not exists console;

create table console.sessions (
  id_hash text primary key,
  claims jsonb not null,
  access_token text not null,
  refresh_token text,
  id_token text,
  token_expires_at timestamptz not null,
  created_at timestamptz not null,
  last_seen_at timestamptz not null
);

create index sessions_last_seen_idx on console.sessions (last_seen_at);

-- The OpenID Connect round trip in flight (state, nonce, PKCE verifier), keyed by a hash of its cookie.
create table console.sign_ins (
  id_hash text primary key,
  state text not null,
  nonce text not null,
  code_verifier text not null,
  created_at timestamptz not null
);
