-- The CRM table the sync expects (yours may have more columns): a soft delete (deleted_at), a change
-- time (updated_at, kept by the trigger) and a column for the Zoho id; email is the natural key.
create schema if not exists crm;
create table crm.contacts (
  crm_id bigserial primary key, email text not null, first_name text, last_name text not null, phone text,
  zoho_id text, updated_at timestamptz not null default now(), deleted_at timestamptz);
create unique index on crm.contacts (lower(email));
create function crm.touch() returns trigger language plpgsql as
  $$ begin new.updated_at := now(); return new; end $$;
create trigger touch before update on crm.contacts for each row execute function crm.touch();
