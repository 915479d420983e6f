-- The statements match-service runs for one registration of a child no other organisation is active on
-- (captured from the service, in order), for pgbench with -M prepared as the service prepares them: the
-- caller's organisation, the region that sets the duration, then in one transaction the function of
-- migrations 0080 and 0100 that locks (or creates) the child, checks that nobody is active on it, inserts the
-- registration and writes its audit event. (The service writes `begin` together with the function's call:
-- the same statements, one round trip fewer.) The service passes the registration and the audit event as JSON
-- text it builds; pgbench builds the same JSON in the statement.
\set child random(1, 1000000000)
\set org random(1, 50)
select * from "match"."organisations" where "id" = 'bench-org-' || :org;
select "v"."code", "v"."version", "v"."created_at", "v"."document" from "match"."region_versions" as "v"
  inner join "match"."regions" as "r" on "r"."code" = "v"."code"
  where "v"."code" = 'eindhoven' and "v"."version" = "r"."current_version";
begin;
select registered, history_available as "historyAvailable", active, open_match_id as "openMatchId"
  from match.register_if_fresh(
    jsonb_build_object('id', gen_random_uuid(), 'subjectKey', md5('pgbench' || :child) || md5('child' || :child),
      'organisationId', 'bench-org-' || :org, 'kind', 'concern', 'status', 'active', 'createdAt', now(),
      'endsAt', now() + interval '365 days', 'endedAt', null, 'endReason', null, 'externalReference', null,
      'contactName', 'Pro', 'contactEmail', 'pro@bench.example', 'contactPhone', '+31 6 0000 0000',
      'municipality', null, 'householdKey', null, 'householdVisibleAt', null, 'householdToldAt', null,
      'probeSuspectedAt', null, 'remindedAt', null, 'createdBy', 'pgbench'),
    '2015-06-01'::date,
    jsonb_build_array(jsonb_build_object('occurredAt', now(), 'service', 'match-service',
      'action', 'registration.create', 'outcome', 'success', 'actorId', 'pro-bench-org-' || :org,
      'actorOrganisation', 'bench-org-' || :org, 'actorRoles', jsonb_build_array('professional'),
      'actorOnBehalfOf', null, 'subjectKey', md5('pgbench' || :child) || md5('child' || :child),
      'resourceType', 'registration', 'resourceId', gen_random_uuid(), 'requestId', gen_random_uuid(),
      'clientIp', '127.0.0.1', 'userAgent', 'pgbench', 'purpose', null)));
commit;
