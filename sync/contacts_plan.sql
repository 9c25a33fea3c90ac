-- Two-way sync, step 2 of 4 (after the mirror read): decide each pair's direction, apply Zoho's
-- changes to crm.contacts, queue the CRM's changes for Zoho in sync.contacts_pending. One transaction.
truncate sync.contacts_pending;

-- Zoho as the mirror has it; deleted: in the recycle bin (a delete marker from emit_deletes)
create temp table z on commit drop as
select id, email, "firstName" as first_name, "lastName" as last_name, phone,
       _sdc_deleted_at is not null as deleted,
       coalesce(_sdc_deleted_at, "modifiedTime") at time zone 'UTC' as changed_at
from zohodesk.contacts;

-- 1. first sight: a live CRM row and a live Zoho contact with the same email become a pair
insert into sync.contacts_state (crm_id, zoho_id, email)
select distinct on (c.crm_id) c.crm_id, z.id, c.email
from crm.contacts c join z on lower(z.email) = lower(c.email) and not z.deleted
where c.deleted_at is null
  and not exists (select from sync.contacts_state s where s.crm_id = c.crm_id)
  and not exists (select from sync.contacts_state s where s.zoho_id = z.id)
order by c.crm_id, z.id;

-- 2. each live pair: which side changed since the last sync (a never-synced pair: both)
create temp table d on commit drop as
select s.crm_id, s.zoho_id, s.synced_at is null as fresh,
       c.deleted_at is not null as c_del, z.deleted as z_del,
       greatest(c.updated_at, c.deleted_at) as c_at, z.changed_at as z_at,
       c.email as c_email, c.first_name as c_first, c.last_name as c_last, c.phone as c_phone,
       z.email as z_email, z.first_name as z_first, z.last_name as z_last, z.phone as z_phone,
       s.synced_at is null or c.deleted_at is not null
         or (c.email, c.first_name, c.last_name, c.phone) is distinct from (s.email, s.first_name, s.last_name, s.phone)
         as c_changed,
       s.synced_at is null or z.deleted
         or (z.email, z.first_name, z.last_name, z.phone) is distinct from (s.email, s.first_name, s.last_name, s.phone)
         as z_changed
from sync.contacts_state s
join crm.contacts c on c.crm_id = s.crm_id
join z on z.id = s.zoho_id
where not s.deleted;

alter table d add column agree boolean, add column go text;
update d set agree = (c_del and z_del) or (not c_del and not z_del
  and (c_email, c_first, c_last, c_phone) is not distinct from (z_email, z_first, z_last, z_phone));
update d set go = case
  when not c_changed and not z_changed then null
  when c_changed and z_changed and agree then 'agree'
  when c_changed and not z_changed then 'to_zoho'
  when z_changed and not c_changed then 'to_crm'
  when c_at > z_at then 'to_zoho' else 'to_crm' end;   -- changed on both sides: the newer change wins

-- 3. the losers of changes on both sides, logged (a first match that differs is one too)
insert into sync.contacts_conflicts (crm_id, zoho_id, winner, crm_changed_at, zoho_changed_at, crm_version, zoho_version)
select crm_id, zoho_id, case go when 'to_zoho' then 'crm' else 'zoho' end, c_at, z_at,
       jsonb_build_object('email', c_email, 'first_name', c_first, 'last_name', c_last, 'phone', c_phone, 'deleted', c_del),
       jsonb_build_object('email', z_email, 'first_name', z_first, 'last_name', z_last, 'phone', z_phone, 'deleted', z_del)
from d where c_changed and z_changed and not agree;

-- 4. Zoho's changes into the CRM: the values, or a soft delete (a Zoho edit newer than a CRM delete restores)
update crm.contacts c set email = d.z_email, first_name = d.z_first, last_name = d.z_last, phone = d.z_phone,
       deleted_at = null
from d where d.crm_id = c.crm_id and d.go = 'to_crm' and not d.z_del;
update crm.contacts c set deleted_at = d.z_at
from d where d.crm_id = c.crm_id and d.go = 'to_crm' and d.z_del;
update sync.contacts_state s
set email = d.z_email, first_name = d.z_first, last_name = d.z_last, phone = d.z_phone, deleted = d.z_del,
    synced_at = now()
from d where d.crm_id = s.crm_id and d.go in ('to_crm', 'agree');

-- 5. the CRM's changes for Zoho: an update by id, a delete, or (a CRM edit newer than a Zoho delete) a new contact
insert into sync.contacts_pending (crm_id, id, email, "firstName", "lastName", phone, _sdc_deleted_at)
select crm_id, case when z_del then null else zoho_id end, c_email, c_first, c_last, c_phone,
       case when c_del then c_at end
from d where go = 'to_zoho';

-- 6. new on one side: a CRM row no Zoho contact has the email of is created in Zoho ...
insert into sync.contacts_pending (crm_id, id, email, "firstName", "lastName", phone)
select c.crm_id, null, c.email, c.first_name, c.last_name, c.phone
from crm.contacts c
where c.deleted_at is null
  and not exists (select from sync.contacts_state s where s.crm_id = c.crm_id)
  and not exists (select from z where lower(z.email) = lower(c.email) and not z.deleted);

-- ... and a Zoho contact the CRM has no row for (by email) is inserted in the CRM, with its Zoho id
with new_rows as (
  insert into crm.contacts (email, first_name, last_name, phone, zoho_id)
  select distinct on (lower(z.email)) z.email, z.first_name, z.last_name, z.phone, z.id
  from z
  where not z.deleted and z.email is not null
    and not exists (select from sync.contacts_state s where s.zoho_id = z.id)
    and not exists (select from crm.contacts c where lower(c.email) = lower(z.email))
  order by lower(z.email), z.id
  returning crm_id, zoho_id, email, first_name, last_name, phone)
insert into sync.contacts_state (crm_id, zoho_id, email, first_name, last_name, phone, synced_at)
select crm_id, zoho_id, email, first_name, last_name, phone, now() from new_rows;

-- 7. the CRM learns the Zoho id of each pair it has
update crm.contacts c set zoho_id = s.zoho_id
from sync.contacts_state s where s.crm_id = c.crm_id and c.zoho_id is distinct from s.zoho_id;

select 'plan' as step,
       (select count(*) from d where fresh) as matched_by_email,
       (select count(*) from d where go = 'to_crm' and not z_del) as crm_updated,
       (select count(*) from d where go = 'to_crm' and z_del) as crm_soft_deleted,
       (select count(*) from sync.contacts_state s where s.synced_at = now() and s.crm_id not in (select crm_id from d)) as crm_inserted,
       (select count(*) from sync.contacts_pending where id is not null and _sdc_deleted_at is null) as zoho_updates,
       (select count(*) from sync.contacts_pending where _sdc_deleted_at is not null) as zoho_deletes,
       (select count(*) from sync.contacts_pending where id is null) as zoho_creates,
       (select count(*) from d where c_changed and z_changed and not agree) as conflicts;
