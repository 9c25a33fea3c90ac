"""Seed data: organization, people, customers' records, catalog and activities.

Runs after the core seeders (departments, agents, accounts, contacts, tickets): the
organization, roles, profiles, teams and business hours; products, contracts and customer
happiness ratings; tasks, calls and events. Same conventions as seed_core.py: ids from
``s.ident()``, randomness only from the seeder, Zoho times, counters as strings, every schema
field present (None where absent). The comments, attachments, followers and time entries of
these records are seeded by seed_children.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

from tests.emulator.data import ORG_ID, zoho_time
from tests.emulator.seed_core import DAY, REGIONS, Seeder

WEB = "https://desk.zoho.com/support/acme/ShowHomePage.do"
TASK_STATUSES = ["Not Started", "In Progress", "Completed", "Deferred", "Waiting for someone"]
CALL_STATUSES = ["Completed", "Completed", "Scheduled", "Current call"]
EVENT_STATUSES = ["Planned", "Held", "Not Held", "Completed"]


def _day(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%d")


def _reminder(s: Seeder, owner_id: str, at: float) -> list[dict]:
    if s.random() < 0.5:
        return []
    minutes = s.choose([5, 15, 30, 60])
    return [{"alertType": s.choose([["POPUP"], ["EMAIL"], ["EMAIL", "POPUP"]]), "minutes": str(minutes),
             "reminderTime": zoho_time(at - minutes * 60), "notifyTo": [owner_id]}]


# -- organization and people -----------------------------------------------------------
def seed_organizations(s: Seeder):
    yield {
        "id": ORG_ID, "companyName": "Acme Support Ltd", "portalName": "acme",
        "portalURL": "https://desk.zoho.com/support/acme", "edition": "ENTERPRISE", "isDefault": True,
        "isAdminInOrg": True, "isSandboxPortal": False, "isPayloadEncryptionEnabled": False,
        "employeeCount": "250", "currencyCode": "GBP", "currencyLocale": "en_GB", "currencySymbol": "£",
        "logoURL": None, "faviconURL": None, "phoneNumber": "+44-20-7946-0000", "mobile": None, "fax": None,
        "website": "https://acme.example", "street": "1 High Street", "city": "London", "state": None,
        "country": "UK", "zip": "N1 9GU", "primaryContact": "jade.tywin@example.com",
        "description": "Emulated Zoho Desk portal",
    }


ROLES = [("CEO", None, True, True), ("Support Manager", 0, False, True), ("Team Lead", 1, False, True),
         ("Agent", 2, False, True), ("Light Agent", 3, False, True), ("Portal Moderator", 0, False, False)]


def seed_roles(s: Seeder):
    ids = [s.ident() for _ in ROLES]
    for k, (name, parent, default, visible) in enumerate(ROLES):
        yield {"id": ids[k], "name": name, "description": f"{name} role", "shareDataWithPeers": k % 2 == 0,
               "immediateParentRoleId": None if parent is None else ids[parent], "isDefault": default,
               "isVisible": visible}


PROFILES = [("Administrator", "Administrator", True, True), ("Agent", "Agent", True, True),
            ("Support Manager", "Agent", True, True), ("Newbie Agent", "Agent", True, True),
            ("Light Agent", "LightAgent", True, True), ("Billing Specialist", "Agent", False, True),
            ("Portal Sync", "Agent", False, False)]


def seed_profiles(s: Seeder):
    for name, kind, default, visible in PROFILES:
        yield {"id": s.ident(), "name": name, "description": f"{name} profile", "type": kind,
               "default": default, "isVisible": visible}


def seed_teams(s: Seeder):
    roles = [r["id"] for r in s.store.tables["roles"].rows]
    for dep in s.store.tables["departments"].rows:
        ids = [s.ident(), s.ident()]
        members = list(dep["associatedAgentIds"])
        for j, team_id in enumerate(ids):
            agents = sorted(s.rng.sample(members, min(len(members), 1 + j))) if members else []
            sub = [ids[1]] if j == 0 else []
            yield {"id": team_id, "name": f"{dep['name']} Tier {j + 1}", "description": f"Tier {j + 1} queue",
                   "departmentId": dep["id"], "logoUrl": None, "roles": [roles[3 - j]],
                   "rolesWithSubordinates": [roles[2]] if j == 0 else [], "subTeams": sub,
                   "agents": agents, "derivedAgents": agents}


WEEKDAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]
HOURS = [
    ("Standard Hours", "SPECIFIC", [(d, "09:00", "17:00") for d in WEEKDAYS], True),
    ("Round the clock", "24X7", [], False),
    ("Weekend Cover", "SPECIFIC", [("SATURDAY", "10:00", "16:00"), ("SUNDAY", "10:00", "14:00")], True),
]


def seed_business_hours(s: Seeder):
    for k, (name, kind, times, holidays) in enumerate(HOURS):
        created = s.created()
        agent = s.agent()
        holiday_list = {"holidayListId": s.ident(), "name": "UK Bank Holidays", "status": "ACTIVE",
                        "holidays": [{"name": "New Year", "from": "01-01", "to": "01-01"},
                                     {"name": "Christmas", "from": "12-25", "to": "12-26"}]}
        yield {"id": s.ident(), "name": name, "status": "ACTIVE" if k < 2 else "INACTIVE", "type": kind,
               "timeZone": {"id": "Europe/London", "name": "( GMT 0:0 ) Greenwich Mean Time"},
               "businessTimes": [{"day": d, "startTime": a, "endTime": b} for d, a, b in times],
               "associatedHolidayList": holiday_list if holidays else None,
               "createdBy": agent["id"], "modifiedBy": agent["id"], "createdTime": zoho_time(created),
               "modifiedTime": zoho_time(s.modified(created))}


# -- products, contracts, ratings ------------------------------------------------------
PRODUCTS = ["Printer", "Router", "Scanner", "Laptop", "Dock", "Headset", "Webcam", "Monitor", "Keyboard",
            "Service Plan"]


def seed_products(s: Seeder):
    rng = s.rng
    departments = s.store.tables["departments"].rows
    for k in range(20):
        created = s.created()
        deps = sorted(rng.sample(departments, s.between(1, 3)), key=lambda d: d["id"])
        yield {
            "id": s.ident(), "productName": f"{PRODUCTS[k % len(PRODUCTS)]} {'XL' if k >= 10 else 'One'}",
            "productCode": f"PR-{k:04d}", "productCategory": s.choose(["Hardware", "Software", "Service"]),
            "unitPrice": f"{s.between(5, 2000)}.00", "description": None,
            "departmentIds": [d["id"] for d in deps], "departments": [{"id": d["id"], "name": d["name"]} for d in deps],
            "ownerId": s.agent()["id"], "owner": None, "layoutId": None,
            "cf": {"cf_sku_group": s.choose(["A", "B", "C"]), "cf_weight_kg": f"{s.between(1, 500) / 10:.2f}",
                   "cf_discontinued": k % 7 == 0},
            "isDeleted": False, "createdBy": None, "modifiedBy": None,
            "createdTime": zoho_time(created), "modifiedTime": zoho_time(s.modified(created)),
        }


def seed_contracts(s: Seeder):
    rng = s.rng
    accounts = s.store.tables["accounts"].rows
    products = s.store.tables["products"].rows
    departments = s.store.tables["departments"].rows
    for k in range(max(5, len(accounts) // 3)):
        account = s.choose(accounts)
        product = s.choose(products) if rng.random() < 0.7 else None
        owner = s.agent()
        created = s.later(account["createdTime"], 20)
        start = created + s.below(10) * DAY
        end = start + 365 * DAY
        yield {
            "id": s.ident(), "contractName": f"Support contract {k:05d}", "contractNumber": f"CN-{k:05d}",
            "contractStatus": s.choose(["ACTIVE", "ACTIVE", "ACTIVE", "EXPIRED", "INACTIVE"]),
            "description": None, "accountId": account["id"],
            "account": {"id": account["id"], "accountName": account["accountName"], "website": account["website"]},
            "productId": product["id"] if product else None,
            "product": {"id": product["id"], "productName": product["productName"]} if product else None,
            "departmentId": departments[k % len(departments)]["id"], "ownerId": owner["id"],
            "startDate": _day(start), "endDate": _day(end), "notifyBefore": "30", "notifyOn": _day(end - 30 * DAY),
            "notificationAgentIds": [owner["id"]], "associatedSLAId": None, "sla": None, "layoutId": None,
            "cf": {"cf_value": f"{s.between(100, 50000)}.50", "cf_renewal_date": _day(end + DAY),
                   "cf_region": s.choose(REGIONS)},
            "createdBy": owner["id"], "modifiedBy": owner["id"], "createdTime": zoho_time(created),
            "modifiedTime": zoho_time(s.modified(created)),
        }


def seed_customer_happiness(s: Seeder):
    rng = s.rng
    tickets = s.store.tables["tickets"].rows
    count = min(len(tickets), max(10, s.n_tickets // 20))
    for index in sorted(rng.sample(range(len(tickets)), count)):
        ticket = tickets[index]
        rating = s.choose(["GOOD", "GOOD", "GOOD", "OK", "OK", "BAD"])
        yield {
            "id": s.ident(), "rating": rating,
            "feedback": {"GOOD": "Quick and helpful", "OK": None, "BAD": "Took too long"}[rating],
            "ticketId": ticket["id"], "ticketNumber": ticket["ticketNumber"], "contactId": ticket["contactId"],
            "agentId": ticket["assigneeId"], "departmentId": ticket["departmentId"],
            "accountId": ticket["accountId"], "channel": ticket["channel"],
            "ratedTime": zoho_time(s.later(ticket["createdTime"], 10)),
        }


# -- activities --------------------------------------------------------------------------
def _activity(s: Seeder, k: int, module: str, label: str) -> tuple[dict, float]:
    """Fields tasks, calls and events share, and the creation time."""
    rng = s.rng
    tickets = s.store.tables["tickets"].rows
    owner = s.agent()
    if tickets and rng.random() < 0.6:
        ticket = s.choose(tickets)
        created = s.later(ticket["createdTime"], 5)
        ticket_id, contact_id, dep_id = ticket["id"], ticket["contactId"], ticket["departmentId"]
    else:
        contacts = s.store.tables["contacts"].rows
        departments = s.store.tables["departments"].rows
        created = s.created()
        ticket_id, dep_id = None, departments[k % len(departments)]["id"]
        contact_id = s.choose(contacts)["id"] if rng.random() < 0.7 else None
    row_id = s.ident()
    return {
        "id": row_id, "subject": f"{label} {k}", "description": None, "departmentId": dep_id,
        "ownerId": owner["id"], "creatorId": owner["id"], "modifiedBy": owner["id"], "contactId": contact_id,
        "ticketId": ticket_id, "priority": s.choose(["High", "Medium", "Low", None]), "layoutId": None,
        "webUrl": f"{WEB}#{module}/dv/{row_id}", "isTrashed": False,
        "createdTime": zoho_time(created),
    }, created


def seed_tasks(s: Seeder):
    for k in range(max(5, s.n_tickets // 10)):
        row, created = _activity(s, k, "Tasks", "Follow up on case")
        modified = s.modified(created)
        due = created + s.between(1, 14) * DAY
        status = s.choose(TASK_STATUSES)
        row.update({
            "status": status, "category": s.choose(["Call back", "Demo", "Follow-up", None]),
            "dueDate": zoho_time(due), "completedTime": zoho_time(modified) if status == "Completed" else None,
            "isCompleted": status == "Completed", "reminder": _reminder(s, row["ownerId"], due),
            "cf": {"cf_effort": str(s.between(1, 9)), "cf_area": s.choose(["Billing", "Hardware", "Software"])},
            "modifiedTime": zoho_time(modified),
        })
        yield row


def seed_calls(s: Seeder):
    for k in range(max(5, s.n_tickets // 10)):
        row, created = _activity(s, k, "Calls", "Call about case")
        status = s.choose(CALL_STATUSES)
        duration = s.between(30, 3600)
        if status == "Scheduled":
            start = created + s.between(1, 10) * DAY
        else:
            start = created - duration - s.below(3600)
        row.update({
            "status": status, "direction": s.choose(["inbound", "outbound"]), "startTime": zoho_time(start),
            "duration": str(duration),
            "completedTime": zoho_time(start + duration) if status == "Completed" else None,
            "reminder": _reminder(s, row["ownerId"], start) if status == "Scheduled" else [],
            "cf": {"cf_outcome": s.choose(["Resolved", "Escalated", "Voicemail"])},
            "modifiedTime": zoho_time(s.modified(created)),
        })
        yield row


def seed_events(s: Seeder):
    rng = s.rng
    for k in range(max(5, s.n_tickets // 10)):
        row, created = _activity(s, k, "Events", "On-site visit")
        start = created + s.between(1, 20) * DAY
        row.update({
            "status": s.choose(EVENT_STATUSES), "category": s.choose(["Meeting", "Visit", "Training", None]),
            "startTime": zoho_time(start), "duration": str(s.choose([1800, 3600, 7200])),
            "location": s.choose(["Customer site", "Head office", "Video call"]),
            "reminder": _reminder(s, row["ownerId"], start),
            "cf": {"cf_on_site": rng.random() < 0.5},
            "modifiedTime": zoho_time(s.modified(created)),
        })
        yield row


SEEDERS: list[tuple[str, Callable]] = [
    ("organizations", seed_organizations),
    ("roles", seed_roles),
    ("profiles", seed_profiles),
    ("teams", seed_teams),
    ("business_hours", seed_business_hours),
    ("products", seed_products),
    ("contracts", seed_contracts),
    ("customer_happiness", seed_customer_happiness),
    ("tasks", seed_tasks),
    ("calls", seed_calls),
    ("events", seed_events),
]
