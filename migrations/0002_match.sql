-- Regions: covenant documents, versioned; a new version applies from the next evaluation.
create table match.regions (
  code text primary key,
  current_version int not null,
  created_at timestamptz not null,
  updated_at timestamptz not null
);

create table match.region_versions (
  code text not null references match.regions (code),
  version int not null,
  document jsonb not null,
  created_at timestamptz not null,
  created_by text not null,
  primary key (code, version)
);

-- A municipality (CBS code) belongs to at most one region: the current versions' municipalities.
create table match.region_municipalities (
  municipality text primary key,
  code text not null references match.regions (code)
);

create table match.organisations (
  id text primary key,
  name text not null,
  sector text not null,
  region_code text not null references match.regions (code),
  email text not null,
  may_coordinate boolean not null,
  active boolean not null default true,
  created_at timestamptz not null,
  updated_at timestamptz not null
);

-- The child, by keyed pseudonym only. The birth date is kept here and nowhere else: age rules need it.
create table match.subjects (
  subject_key text primary key,
  birth_date date not null,
  created_at timestamptz not null
);

-- A registration (melding): that an organisation is involved, never what the concern is.
create table match.registrations (
  id uuid primary key,
  subject_key text not null references match.subjects (subject_key),
  organisation_id text not null references match.organisations (id),
  kind text not null check (kind in ('concern', 'involvement')),
  status text not null check (status in ('active', 'ended')),
  created_at timestamptz not null,
  ends_at timestamptz not null,
  ended_at timestamptz,
  end_reason text,
  external_reference text,
  contact_name text not null,
  contact_email text not null,
  contact_phone text not null,
  municipality text,
  household_key text,
  created_by text not null
);
-- One active registration per organisation and child: the same organisation registering again gets it back.
create unique index registrations_one_active on match.registrations (subject_key, organisation_id)
  where status = 'active';
create index registrations_org_idx on match.registrations (organisation_id, created_at desc, id);
create index registrations_ends_idx on match.registrations (ends_at) where status = 'active';

create table match.matches (
  id uuid primary key,
  subject_key text not null references match.subjects (subject_key),
  status text not null check (status in ('open', 'closed')),
  region_code text references match.regions (code),
  created_at timestamptz not null,
  closed_at timestamptz
);
-- At most one open match per child; a later re-forming is a new match.
create unique index matches_one_open on match.matches (subject_key) where status = 'open';

create table match.match_parties (
  match_id uuid not null references match.matches (id),
  registration_id uuid not null references match.registrations (id),
  organisation_id text not null references match.organisations (id),
  subject_key text not null,
  joined_at timestamptz not null,
  left_at timestamptz,
  primary key (match_id, registration_id)
);
create index match_parties_org_idx on match.match_parties (organisation_id, match_id);

-- Idempotency-Key records: the answer to replay, and a keyed hash of the request (never the body itself).
create table match.idempotency_keys (
  scope text not null,
  key text not null,
  request_hash text not null,
  status_code int not null,
  response jsonb not null,
  created_at timestamptz not null,
  primary key (scope, key)
);
