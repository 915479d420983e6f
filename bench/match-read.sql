-- The statements match-service runs for one GET /v1/matches/{id} by a party of the match, for pgbench with
-- -M prepared as the service prepares them: captured from the service (pg.Client.prototype.query patched
-- in a throwaway test, on a match of two parties with a proposed coordination, the second read of it) and
-- written here in the same order with the same constants. They run one by one, each in its own implicit
-- transaction, as the service runs them (it opens none for a read; the audit insert commits on its own).
--
-- Which match and which party: bench/service-bench.ts makes the small table bench.read_targets (n = 1 …
-- :count, one current party of an open match per row, with the match's subject key) and passes its size
-- with -D count=N; the same rows feed the HTTP side of the bench. The lookup below is one extra
-- primary-key read per transaction that the service does not make.
\set n random(1, :count)
SELECT match_id, organisation_id AS org, subject_key FROM bench.read_targets WHERE n = :n \gset
-- The caller's organisation (the kernel refuses an unknown or deactivated one).
select * from "match"."organisations" where "id" = :org;
-- The match, and whether this organisation may see it (need to know).
select "m".*, (exists (select "p"."match_id" from "match"."match_parties" as "p" where "p"."match_id" = "m"."id" and "p"."organisation_id" = :org and ("p"."left_at" is null or exists (select "r"."id" from "match"."registrations" as "r" where "r"."id" = "p"."registration_id" and "r"."status" = 'active'))) or exists (select "c"."match_id" from "match"."coordinations" as "c" where "c"."match_id" = "m"."id" and "c"."status" in ('proposed', 'accepted') and ("c"."organisation_id" = :org or "c"."pending_transfer_to" = :org)) or exists (select "e"."match_id" from "match"."escalation_access" as "e" inner join "match"."coordinations" as "c" on "c"."match_id" = "e"."match_id" where "e"."match_id" = "m"."id" and "e"."organisation_id" = :org and "c"."status" in ('proposed', 'unassigned') and "m"."status" = 'open')) as "visible" from "match"."matches" as "m" where "m"."id" = :match_id;
-- The read's audit event (match.read).
insert into "audit"."events" ("occurred_at", "service", "action", "outcome", "actor_id", "actor_organisation", "actor_roles", "actor_on_behalf_of", "subject_key", "resource_type", "resource_id", "request_id", "client_ip", "user_agent", "purpose") values (now(), 'match-service', 'match.read', 'success', 'pro-' || :org, :org, '{professional}', null, :subject_key, 'match', :match_id, gen_random_uuid()::text, '127.0.0.1', 'pgbench', null);
-- The parties with their registrations' contact details and recorded contacts.
select "p"."registration_id", "p"."organisation_id", "o"."name" as "organisation_name", "o"."sector" as "organisation_sector", "o"."email" as "organisation_email", "r"."contact_name", "r"."contact_email", "r"."contact_phone", "r"."kind", "r"."external_reference", "p"."joined_at", "p"."left_at", "p"."notified_at", "c"."first_at" as "contacted_at", "c"."organisations" as "contacted_organisations" from "match"."match_parties" as "p" inner join "match"."registrations" as "r" on "r"."id" = "p"."registration_id" inner join "match"."organisations" as "o" on "o"."id" = "p"."organisation_id" left join "match"."match_contacts" as "c" on "c"."match_id" = "p"."match_id" and "c"."organisation_id" = "p"."organisation_id" where "p"."match_id" = :match_id order by "p"."joined_at", "r"."created_at";
-- The contacts recorded on the match.
select "o"."id", "o"."name", "o"."sector", "c"."at", "c"."first_at", "c"."organisations" from "match"."match_contacts" as "c" inner join "match"."organisations" as "o" on "o"."id" = "c"."organisation_id" where "c"."match_id" = :match_id order by "c"."at";
-- The coordination with its organisations' names and its history.
select "c".*, "o"."name" as "organisation_name", "o"."sector" as "organisation_sector", "t"."name" as "transfer_name", "t"."sector" as "transfer_sector", (select coalesce(json_agg(agg), '[]') from (select "h"."at", "h"."event", "h"."organisation_id", "h"."rule_id", "h"."level", "h"."reason" from "match"."coordination_history" as "h" where "h"."match_id" = "c"."match_id" order by "h"."id") as agg) as "history" from "match"."coordinations" as "c" left join "match"."organisations" as "o" on "o"."id" = "c"."organisation_id" left join "match"."organisations" as "t" on "t"."id" = "c"."pending_transfer_to" where "c"."match_id" = :match_id;
-- The caller's household (for household matches), unless the address is excluded.
select "r"."household_key", "r"."household_visible_at" from "match"."registrations" as "r" where "r"."subject_key" = :subject_key and "r"."organisation_id" = :org and "r"."status" = 'active' and "r"."household_key" is not null and not exists (select 1 from match.excluded_addresses e where e.household_key = r.household_key);
