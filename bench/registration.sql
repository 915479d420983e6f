-- The statements match-service runs for one registration of a child no other organisation is active on
-- (captured from the service, in order), for pgbench with -M prepared as the service prepares them: the
-- caller's organisation, the region that sets the duration, then in one transaction lock (or create) the
-- child, read its active registrations and other organisations' archived ones (the answer's
-- historyAvailable), insert the registration and write its audit event.
\set child random(1, 1000000000)
\set org random(1, 50)
SELECT * FROM match.organisations WHERE id = 'bench-org-' || :org;
SELECT v.code, v.version, v.created_at, v.document FROM match.region_versions AS v
  INNER JOIN match.regions AS r ON r.code = v.code
  WHERE v.code = 'eindhoven' AND v.version = r.current_version;
BEGIN;
INSERT INTO match.subjects (subject_key, birth_date, created_at)
  VALUES (md5('pgbench' || :child) || md5('child' || :child), '2015-06-01', now())
  ON CONFLICT (subject_key) DO UPDATE SET subject_key = md5('pgbench' || :child) || md5('child' || :child);
SELECT * FROM match.registrations
  WHERE subject_key = md5('pgbench' || :child) || md5('child' || :child)
    AND (status = 'active' OR (status = 'ended' AND organisation_id != 'bench-org-' || :org))
  ORDER BY created_at, id;
INSERT INTO match.registrations (id, subject_key, organisation_id, kind, status, created_at, ends_at,
    external_reference, contact_name, contact_email, contact_phone, municipality, household_key, created_by)
  VALUES (gen_random_uuid(), md5('pgbench' || :child) || md5('child' || :child), 'bench-org-' || :org, 'concern',
    'active', now(), now() + interval '365 days', NULL, 'Pro', 'pro@bench.example', '+31 6 0000 0000', NULL, NULL,
    'pgbench')
  RETURNING *;
INSERT INTO audit.events (occurred_at, service, action, outcome, actor_id, actor_organisation, actor_roles,
    actor_on_behalf_of, subject_key, resource_type, resource_id, request_id, client_ip, user_agent, purpose)
  VALUES (now(), 'match-service', 'registration.create', 'success', 'pro-bench-org-' || :org, 'bench-org-' || :org,
    '{professional}', NULL, md5('pgbench' || :child) || md5('child' || :child), 'registration',
    gen_random_uuid()::text, gen_random_uuid()::text, '127.0.0.1', 'pgbench', NULL);
COMMIT;
