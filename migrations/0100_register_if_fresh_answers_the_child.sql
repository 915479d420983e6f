-- match.register_if_fresh (migration 0080) answers, when it does not register, what the general path then
-- reads first under the child's lock: the child's active registrations (as to_jsonb of their rows, oldest
-- first) and its open match, if any. A registration that forms or joins a match, or repeats one, runs two
-- statements fewer (issue 13: a registration forming a match ran 28 round trips, and its latency is
-- mostly their sum). The reads still happen inside the function after the lock is held, each with its own
-- snapshot (read committed), so they see every registration committed before the lock was granted.
drop function match.register_if_fresh(jsonb, date, jsonb);

create function match.register_if_fresh(p_registration jsonb, p_birth_date date, p_audit_events jsonb)
returns table (registered boolean, history_available boolean, active jsonb, open_match_id uuid)
language plpgsql
as $$
declare
  r record;
  history boolean;
begin
  select * into strict r from jsonb_to_record(p_registration) as x(
    id uuid, "subjectKey" text, "organisationId" text, kind text, "createdAt" timestamptz, "endsAt" timestamptz,
    "externalReference" text, "contactName" text, "contactEmail" text, "contactPhone" text, municipality text,
    "createdBy" text, "householdKey" text);
  insert into match.subjects (subject_key, birth_date, created_at)
    values (r."subjectKey", p_birth_date, r."createdAt")
    on conflict (subject_key) do update set subject_key = excluded.subject_key;
  history := exists (
    select 1 from match.registrations g
    where g.subject_key = r."subjectKey" and g.status = 'ended' and g.organisation_id <> r."organisationId");
  if r."householdKey" is not null
    or exists (select 1 from match.registrations g where g.subject_key = r."subjectKey" and g.status = 'active') then
    return query select false, history,
      coalesce((select jsonb_agg(to_jsonb(g) order by g.created_at, g.id) from match.registrations g
                where g.subject_key = r."subjectKey" and g.status = 'active'), '[]'::jsonb),
      (select m.id from match.matches m where m.subject_key = r."subjectKey" and m.status = 'open');
    return;
  end if;
  insert into match.registrations (id, subject_key, organisation_id, kind, status, created_at, ends_at,
      external_reference, contact_name, contact_email, contact_phone, municipality, created_by)
    values (r.id, r."subjectKey", r."organisationId", r.kind, 'active', r."createdAt", r."endsAt",
      r."externalReference", r."contactName", r."contactEmail", r."contactPhone", r.municipality, r."createdBy");
  insert into audit.events (occurred_at, service, action, outcome, actor_id, actor_organisation, actor_roles,
      actor_on_behalf_of, subject_key, resource_type, resource_id, request_id, client_ip, user_agent, purpose)
    select e."occurredAt", e.service, e.action, e.outcome, e."actorId", e."actorOrganisation",
      coalesce(e."actorRoles", '{}'), e."actorOnBehalfOf", e."subjectKey", e."resourceType", e."resourceId",
      e."requestId", e."clientIp", e."userAgent", e.purpose
    from jsonb_to_recordset(p_audit_events) as e("occurredAt" timestamptz, service text, action text,
      outcome text, "actorId" text, "actorOrganisation" text, "actorRoles" text[], "actorOnBehalfOf" text,
      "subjectKey" text, "resourceType" text, "resourceId" text, "requestId" text, "clientIp" text,
      "userAgent" text, purpose text);
  return query select true, history, '[]'::jsonb, null::uuid;
end;
$$;
