-- Two-way sync, step 4 of 4 (after target-zohodesk-sync and a second mirror read): what Zoho now has
-- of each queued change becomes the pair's synced version; new contacts give the CRM their Zoho ids.
-- A write Zoho did not take stays out of the state, so the next run sends it again.
create temp table z on commit drop as
select id, email, "firstName" as first_name, "lastName" as last_name, phone, _sdc_deleted_at is not null as deleted
from zohodesk.contacts;

-- updates and deletes Zoho took
update sync.contacts_state s
set email = p.email, first_name = p."firstName", last_name = p."lastName", phone = p.phone,
    deleted = p._sdc_deleted_at is not null, synced_at = now()
from sync.contacts_pending p join z on z.id = p.id
where p.crm_id = s.crm_id and p.id is not null
  and case when p._sdc_deleted_at is not null then z.deleted
      else not z.deleted and (z.email, z.first_name, z.last_name, z.phone)
                             is not distinct from (p.email, p."firstName", p."lastName", p.phone) end;

-- creates: the contact Zoho now has under the email is the pair's (not yet synced when it differs)
insert into sync.contacts_state as s (crm_id, zoho_id, email, first_name, last_name, phone, synced_at)
select distinct on (p.crm_id) p.crm_id, z.id, p.email, p."firstName", p."lastName", p.phone,
       case when (z.email, z.first_name, z.last_name, z.phone)
                 is not distinct from (p.email, p."firstName", p."lastName", p.phone) then now() end
from sync.contacts_pending p join z on lower(z.email) = lower(p.email) and not z.deleted
where p.id is null and not exists (select from sync.contacts_state t where t.zoho_id = z.id)
order by p.crm_id, z.id desc
on conflict (crm_id) do update
set zoho_id = excluded.zoho_id, email = excluded.email, first_name = excluded.first_name,
    last_name = excluded.last_name, phone = excluded.phone, deleted = false, synced_at = excluded.synced_at;

update crm.contacts c set zoho_id = s.zoho_id
from sync.contacts_state s where s.crm_id = c.crm_id and c.zoho_id is distinct from s.zoho_id;

select 'finish' as step,
       (select count(*) from sync.contacts_pending) as sent,
       (select count(*) from sync.contacts_pending p join sync.contacts_state s using (crm_id)
        where s.synced_at = now()) as confirmed,
       (select count(*) from sync.contacts_pending p join sync.contacts_state s using (crm_id)
        where p.id is null and s.zoho_id is not null and s.synced_at = now()) as ids_learned;
