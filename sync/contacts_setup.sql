-- Two-way sync of crm.contacts with Zoho Desk's contacts: the tables the sync keeps (idempotent).
-- The CRM table is yours: crm.contacts (crm_id, email, first_name, last_name, phone, zoho_id,
-- updated_at, deleted_at); the mirror of Zoho is zohodesk.contacts (tap-zohodesk-contacts target-postgres).
create schema if not exists sync;

-- the last version both sides agreed on, per linked pair; synced_at null: matched by email, not yet synced
create table if not exists sync.contacts_state (
  crm_id bigint primary key,
  zoho_id text not null unique,
  email text, first_name text, last_name text, phone text,
  deleted boolean not null default false,
  synced_at timestamptz
);

-- a pair changed on both sides since the last run: the newer change won, the other is kept here
create table if not exists sync.contacts_conflicts (
  logged_at timestamptz not null default now(),
  crm_id bigint not null, zoho_id text not null, winner text not null,
  crm_changed_at timestamptz, zoho_changed_at timestamptz,
  crm_version jsonb, zoho_version jsonb
);

-- what this run sends to Zoho (id null: a create, upserted by email; _sdc_deleted_at: to the recycle bin)
create table if not exists sync.contacts_pending (
  crm_id bigint primary key, id text, email text, "firstName" text, "lastName" text, phone text,
  _sdc_deleted_at timestamptz
);

-- read by tap-postgres-sync (stream sync-contacts_to_zoho, aliased contacts) for target-zohodesk-sync
create or replace view sync.contacts_to_zoho as
  select id, email, "firstName", "lastName", phone, _sdc_deleted_at from sync.contacts_pending;
