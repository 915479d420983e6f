-- Household probing (issue 12, hole 10). Household addresses are typed by the registrant, so an
-- organisation could register an invented child at any address and read who else is involved there.
-- The probe is made slow and visible (docs/security.md):
--   household_visible_at  when the registration's household links start to show to it (one working
--                         day after it was made, in its region's calendar; at once while in a match);
--   household_told_at     when its registrant was told of the household's earlier registrations (null:
--                         not yet; the household-links-due job tells it at household_visible_at);
--   probe_suspected_at    when its withdrawal was flagged as the pattern of a probe.
alter table match.registrations add column household_visible_at timestamptz;
alter table match.registrations add column household_told_at timestamptz;
alter table match.registrations add column probe_suspected_at timestamptz;

-- Registrations made before: their links showed, and their registrant was told, at once.
update match.registrations set household_visible_at = created_at, household_told_at = created_at
  where household_key is not null;

create index registrations_probe_suspected_idx on match.registrations (probe_suspected_at)
  where probe_suspected_at is not null;
create index registrations_household_untold_idx on match.registrations (household_visible_at)
  where household_key is not null and status = 'active' and household_told_at is null;

-- The admin's register of excluded addresses (institutions, shelters: "register uitgesloten adressen"):
-- an address here never links a household. Kept only as the same keyed hash as household addresses.
create table match.excluded_addresses (
  household_key text primary key,
  added_at timestamptz not null,
  added_by text not null
);
create index excluded_addresses_added_idx on match.excluded_addresses (added_at, household_key);
