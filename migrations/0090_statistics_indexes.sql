-- Region statistics at 10M registrations (issue 14): the running month is computed on every read, so the
-- statistics queries read a month's rows from an index that holds the columns they need (an index-only
-- scan), not a heap page per row nor every row of the table. The month-range indexes of 0030 become such.

-- Registrations created in a month: the columns the figures group by, the child for its birth date and the
-- household for the household links.
drop index match.registrations_created_idx;
create index registrations_created_idx on match.registrations (created_at)
  include (organisation_id, kind, municipality, subject_key, household_key);

-- Registrations ended in a month, by reason and region.
drop index match.registrations_ended_idx;
create index registrations_ended_idx on match.registrations (ended_at)
  include (organisation_id, municipality, end_reason) where ended_at is not null;

-- Matches closed in a month, and open at its end (closed_at null or later): counted without their rows.
create index matches_closed_idx on match.matches (region_code, closed_at) include (created_at);
-- Warm handovers recorded in a month.
create index matches_handover_idx on match.matches (region_code, warm_handover_at)
  where warm_handover_at is not null;

-- Coordinations accepted in a month, with their match (for its region) and designation moment.
create index coordinations_accepted_idx on match.coordinations (accepted_at) include (match_id, proposed_at)
  where accepted_at is not null;

-- Coordination events in a month, by event, reason and level.
drop index match.coordination_history_at_idx;
create index coordination_history_at_idx on match.coordination_history (at)
  include (match_id, event, reason, level);

-- Household links of a month's registrations: each looks for another child's registration at its address,
-- ended ones included (registrations_household_idx holds active ones only); without this every lookup read
-- the registrations made before it.
create index registrations_household_statistics_idx on match.registrations (household_key)
  include (subject_key, created_at, ended_at) where household_key is not null;

-- Parties and contacts of the matches opened in a month: they come after their match, so a month's are
-- read from its start on, not every party and contact there is.
create index match_parties_joined_idx on match.match_parties (joined_at) include (match_id, organisation_id);
create index match_contacts_first_idx on match.match_contacts (first_at) include (match_id, organisation_id);
