-- Follow-up as a tracked obligation (issue 14): per party, when it was first told of the match, when it
-- was reminded and when its silence was reported; per contact, whom it contacted and when first.
alter table match.match_parties add column notified_at timestamptz;
alter table match.match_parties add column reminded_at timestamptz;
alter table match.match_parties add column overdue_at timestamptz;
create index match_parties_open_follow_up_idx on match.match_parties (match_id)
  where left_at is null and overdue_at is null;

alter table match.match_contacts add column first_at timestamptz;
update match.match_contacts set first_at = at;
alter table match.match_contacts alter column first_at set not null;
alter table match.match_contacts add column organisations text[] not null default '{}';

-- The warm handover (warme overdracht): care arranged and the family arrived, recorded by the coordinator.
alter table match.matches add column warm_handover_at timestamptz;
alter table match.matches add column warm_handover_by text;
alter table match.matches add column handover_reminded_at timestamptz;
alter table match.matches add column close_told_at timestamptz;
create index matches_handover_pending_idx on match.matches (created_at)
  where warm_handover_at is null and handover_reminded_at is null;

-- Statistics: month ranges by creation and end.
create index registrations_created_idx on match.registrations (created_at);
create index registrations_ended_idx on match.registrations (ended_at) where ended_at is not null;
create index matches_created_idx on match.matches (region_code, created_at);
create index coordination_history_at_idx on match.coordination_history (at);
create index coordination_history_unassigned_idx on match.coordination_history (match_id) where event = 'unassigned';

-- A closed month's figures, stored once when the month closes: erasure and purges later do not rewrite them.
create table match.statistics_months (
  region_code text not null references match.regions (code),
  month text not null,
  figures jsonb not null,
  computed_at timestamptz not null,
  primary key (region_code, month)
);
