-- A registration on a child no organisation is active on, in one statement (issue 13: speed). Three in four
-- registrations are of this kind; the service ran eight statements for each, and every statement costs the
-- service more CPU than PostgreSQL spends on it. Inside a function each statement still takes its own
-- snapshot (read committed), so the read of the child's registrations happens after the child's lock is
-- held, exactly as in the service's general path: concurrent registrations on one child still end in one
-- match.
--
-- It locks (or creates) the child and answers whether other organisations' ended registrations on it exist
-- (the answer's historyAvailable). When a registration on the child is active (a match may form, or the
-- organisation registers again) or the registration has a household (its links are the general path's
-- work), it writes nothing more and answers registered = false: the service goes on with its general path
-- in the same transaction, under the lock. Otherwise it inserts the registration and its audit events, both
-- built by the service (camelCase keys, as the service's rows).
create function match.register_if_fresh(p_registration jsonb, p_birth_date date, p_audit_events jsonb)
returns table (registered boolean, history_available boolean)
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
    return query select false, history;
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
  return query select true, history;
end;
$$;
