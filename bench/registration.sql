-- The SQL a registration performs, for pgbench: lock (or create) the child, look for this organisation's
-- active registration, insert it, look for the open match and the child's active registrations, and write
-- the audit event — all in one transaction, as match-service does.
\set child random(1, 200000)
\set org random(1, 50)
BEGIN;
INSERT INTO match.subjects (subject_key, birth_date, created_at)
  VALUES (md5('pgbench' || :child) || md5('child' || :child), '2015-01-01', now())
  ON CONFLICT (subject_key) DO UPDATE SET subject_key = excluded.subject_key;
SELECT * FROM match.registrations
  WHERE subject_key = md5('pgbench' || :child) || md5('child' || :child)
    AND organisation_id = 'bench-org-' || :org AND status = 'active';
INSERT INTO match.registrations (id, subject_key, organisation_id, kind, status, created_at, ends_at,
    contact_name, contact_email, contact_phone, created_by)
  VALUES (gen_random_uuid(), md5('pgbench' || :child) || md5('child' || :child), 'bench-org-' || :org, 'concern',
    'active', now(), now() + interval '365 days', 'Bench Professional', 'pro@bench.example', '+31 6 0000 0000', 'pgbench')
  ON CONFLICT DO NOTHING;
SELECT * FROM match.matches
  WHERE subject_key = md5('pgbench' || :child) || md5('child' || :child) AND status = 'open';
SELECT * FROM match.registrations
  WHERE subject_key = md5('pgbench' || :child) || md5('child' || :child) AND status = 'active'
  ORDER BY created_at, id;
INSERT INTO audit.events (occurred_at, service, action, outcome, actor_id, actor_organisation, actor_roles,
    subject_key, resource_type, resource_id, request_id, client_ip, user_agent)
  VALUES (now(), 'pgbench', 'registration.create', 'success', 'pgbench', 'bench-org-' || :org, '{professional}',
    md5('pgbench' || :child) || md5('child' || :child), 'registration', gen_random_uuid()::text,
    gen_random_uuid()::text, '127.0.0.1', 'pgbench');
END;
