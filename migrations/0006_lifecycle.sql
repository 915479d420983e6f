-- When the "ending soon" reminder went out, so every replica sends it once.
alter table match.registrations add column reminded_at timestamptz;

-- Household links: active registrations of one household (a keyed hash of postcode and house number).
create index registrations_household_idx on match.registrations (household_key)
  where household_key is not null and status = 'active';
-- The history archive is the ended registrations; destroyed 5 years after they ended.
create index registrations_archive_idx on match.registrations (ended_at) where status = 'ended';
create index registrations_subject_idx on match.registrations (subject_key, status);
-- The 23rd-birthday sweep.
create index subjects_birth_date_idx on match.subjects (birth_date);
