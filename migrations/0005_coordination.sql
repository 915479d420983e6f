-- Care coordination of a match (zorgcoördinatie): one row per match, designated by the region's covenant rules.
create table match.coordinations (
  match_id uuid primary key references match.matches (id),
  subject_key text not null,
  organisation_id text references match.organisations (id),
  status text not null check (status in ('proposed', 'accepted', 'unassigned', 'ended')),
  rule_id text,
  region_code text,
  region_version int,
  -- The designation: deadlines and escalation steps count from here.
  proposed_at timestamptz not null,
  due_at timestamptz,
  accepted_at timestamptz,
  escalation_level int not null default 0,
  declined_by text[] not null default '{}',
  pending_transfer_to text references match.organisations (id),
  pending_transfer_at timestamptz,
  updated_at timestamptz not null
);
create index coordinations_open_idx on match.coordinations (status) where status in ('proposed', 'unassigned');
create index coordinations_org_idx on match.coordinations (organisation_id);
create index coordinations_transfer_idx on match.coordinations (pending_transfer_to) where pending_transfer_to is not null;

create table match.coordination_history (
  id bigint generated always as identity primary key,
  match_id uuid not null references match.matches (id),
  subject_key text not null,
  at timestamptz not null,
  event text not null,
  organisation_id text,
  rule_id text,
  level int,
  reason text
);
create index coordination_history_match_idx on match.coordination_history (match_id, id);

-- Organisations an escalation step reached: they may read the match from then on.
create table match.escalation_access (
  match_id uuid not null references match.matches (id),
  organisation_id text not null references match.organisations (id),
  subject_key text not null,
  level int not null,
  reached_at timestamptz not null,
  primary key (match_id, organisation_id)
);
create index escalation_access_org_idx on match.escalation_access (organisation_id);

-- "This party has coordinated with the others": follow-up made visible.
create table match.match_contacts (
  match_id uuid not null references match.matches (id),
  organisation_id text not null references match.organisations (id),
  subject_key text not null,
  at timestamptz not null,
  primary key (match_id, organisation_id)
);
