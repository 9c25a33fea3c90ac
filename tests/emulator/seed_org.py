"""Seed data: organization, catalog, activity and knowledge-base objects.

Runs after the core seeders (departments, agents, accounts, contacts, tickets) and before
the ticket family. Same conventions as ``data.py``: ids from ``s.ident()``, randomness
only from ``s.rng``, Zoho times, counters as strings, every schema field present (None
where absent). Child rows (comments, attachments, followers, time entries) carry their
link field (``contactId``, ``taskId``, ...) and exist for a subset of their parents only,
dated after the parent's creation.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

from tests.emulator.data import ORG_ID, zoho_time
from tests.emulator.seed_core import REGIONS, Seeder

DAY = 86400
WEB = "https://desk.zoho.com/support/acme/ShowHomePage.do"
API = "https://desk.zoho.com/api/v1"
PORTAL = "https://support.acme.example/portal/en/kb"
FILES = ["invoice.pdf", "screenshot.png", "logs.zip", "contract.docx", "photo.jpg", "notes.txt"]
TASK_STATUSES = ["Not Started", "In Progress", "Completed", "Deferred", "Waiting for someone"]
CALL_STATUSES = ["Completed", "Completed", "Scheduled", "Current call"]
EVENT_STATUSES = ["Planned", "Held", "Not Held", "Completed"]
CHARGE_TYPES = ["Customer Service", "Upgrade Request", "Product Consultation", "Support and Maintenance"]
ARTICLE_STATUSES = ["Published", "Published", "Published", "Draft", "Review", "Expired", "Unpublished"]
TOPICS = ["reset a password", "update billing details", "pair a printer", "export reports",
          "configure SSO", "cancel a subscription", "restore deleted data", "set up alerts"]


def _ts(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def _day(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%d")


def _rand(s: Seeder, n: int) -> int:
    """``s.rng.randrange(n)``, several times cheaper: seeding 100k tickets draws millions."""
    return int(s.rng.random() * n)


def _range(s: Seeder, low: int, high: int) -> int:
    """``s.rng.randrange(low, high)``, cheaper."""
    return low + int(s.rng.random() * (high - low))


def _pick(s: Seeder, seq: list):
    return seq[int(s.rng.random() * len(seq))]


def _later(s: Seeder, text: str, days: int = 30) -> float:
    """A moment after the Zoho time ``text``, within ``days``."""
    return _ts(text) + 60 + _rand(s, days * DAY)


def _some(s: Seeder, rows: list[dict], share: float) -> list[dict]:
    """The parents that get children: about ``share`` of them, never none."""
    rng = s.rng
    return [r for r in rows if rng.random() < share] or rows[:1]


def _agents(s: Seeder) -> list[dict]:
    return s.store.tables["agents"].rows


def _agent(s: Seeder) -> dict:
    return _pick(s, s.store.tables["agents"].rows)


def _person(agent: dict) -> dict:
    return {"id": agent["id"], "name": agent["name"], "firstName": agent["firstName"],
            "lastName": agent["lastName"], "email": agent["emailId"], "photoURL": agent["photoURL"],
            "type": "AGENT", "roleName": None, "zuid": agent["zuid"]}


def _reminder(s: Seeder, owner_id: str, at: float) -> list[dict]:
    rng = s.rng
    if rng.random() < 0.5:
        return []
    minutes = _pick(s, [5, 15, 30, 60])
    return [{"alertType": _pick(s, [["POPUP"], ["EMAIL"], ["EMAIL", "POPUP"]]), "minutes": str(minutes),
             "reminderTime": zoho_time(at - minutes * 60), "notifyTo": [owner_id]}]


# -- shared child shapes (comments.json, attachments.json, followers.json, time_entries.json) --
def _comment(s: Seeder, after: str, links: dict) -> dict:
    rng = s.rng
    agent = _agent(s)
    at = _later(s, after)
    content, mention = f"<div>Checked with the customer, see note {_rand(s, 1000)}.</div>", []
    if rng.random() < 0.2:
        other = _agent(s)
        token = f"zsu[@user:{other['zuid']}]zsu"
        content = f"Looping in {token} on this."
        mention = [{"type": "AGENT", "id": other["id"], "zuid": other["zuid"], "name": other["name"],
                    "firstName": other["firstName"], "lastName": other["lastName"], "email": other["emailId"],
                    "photoURL": other["photoURL"], "departmentId": None, "entityNumber": None,
                    "offSet": "11", "length": str(len(token))}]
    return {
        "id": s.ident(), "content": content, "contentType": "html", "isPublic": rng.random() < 0.4,
        "commentedTime": zoho_time(at), "modifiedTime": zoho_time(s.modified(at)),
        "commenterId": agent["id"], "commenter": _person(agent), "mention": mention, "attachments": [],
        **links,
    }


def _comments(s: Seeder, parents: list[dict], link: str, share: float = 0.3, most: int = 3):
    for parent in _some(s, parents, share):
        for _ in range(_range(s, 1, most + 1)):
            yield _comment(s, parent["createdTime"], {link: parent["id"]})


def _attachments(s: Seeder, parents: list[dict], link: str, module: str, share: float = 0.3, most: int = 2):
    rng = s.rng
    for parent in _some(s, parents, share):
        for _ in range(_range(s, 1, most + 1)):
            att_id = s.ident()
            yield {
                "id": att_id, "name": _pick(s, FILES), "size": str(_range(s, 1_000, 2_000_000)),
                "href": f"{API}/{module}/{parent['id']}/attachments/{att_id}/content",
                "isPublic": rng.random() < 0.5, "createdTime": zoho_time(_later(s, parent["createdTime"])),
                "creatorId": _agent(s)["id"], "creator": None, link: parent["id"],
            }


def _followers(s: Seeder, parents: list[dict], link: str, share: float = 0.3):
    agents = _agents(s)
    for parent in _some(s, parents, share):
        for agent in s.rng.sample(agents, _range(s, 1, 4)):
            yield {"id": agent["id"], "name": agent["name"], "firstName": agent["firstName"],
                   "lastName": agent["lastName"], "emailId": agent["emailId"], "photoURL": agent["photoURL"],
                   "zuid": agent["zuid"], link: parent["id"]}


def _time_entry(s: Seeder, after: str, owner: dict, links: dict) -> dict:
    rng = s.rng
    executed = _later(s, after)
    created = executed + _rand(s, 4 * 3600)
    hours, minutes, rate = _rand(s, 4), _rand(s, 60), _pick(s, [20, 35, 50])
    billable = rng.random() < 0.6
    billed = billable and rng.random() < 0.4
    return {
        "id": s.ident(), "executedTime": zoho_time(executed), "hoursSpent": str(hours),
        "minutesSpent": str(minutes), "secondsSpent": "0", "description": "Investigation and follow-up",
        "ownerId": owner["id"], "owner": None, "isBillable": billable,
        "billingType": "FIXED_COST_FOR_AGENTS" if billable else None,
        "billStatus": ("BILLED" if billed else "UNBILLED") if billable else None,
        "invoiceId": s.ident() if billed else None, "requestChargeType": _pick(s, CHARGE_TYPES),
        "additionalCost": "0.00", "agentCostPerHour": f"{rate:.2f}",
        "totalCost": f"{rate * (hours + minutes / 60):.2f}" if billable else "0.00", "cf": {},
        "createdTime": zoho_time(created), "modifiedTime": zoho_time(s.modified(created)),
        "createdBy": owner["id"], "modifiedBy": owner["id"], **links,
    }


def _time_entries(s: Seeder, parents: list[dict], link: str, share: float = 0.3, most: int = 3):
    for parent in _some(s, parents, share):
        for _ in range(_range(s, 1, most + 1)):
            yield _time_entry(s, parent["createdTime"], _agent(s), {link: parent["id"]})


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
        agent = _agent(s)
        holiday_list = {"holidayListId": s.ident(), "name": "UK Bank Holidays", "status": "ACTIVE",
                        "holidays": [{"name": "New Year", "from": "01-01", "to": "01-01"},
                                     {"name": "Christmas", "from": "12-25", "to": "12-26"}]}
        yield {"id": s.ident(), "name": name, "status": "ACTIVE" if k < 2 else "INACTIVE", "type": kind,
               "timeZone": {"id": "Europe/London", "name": "( GMT 0:0 ) Greenwich Mean Time"},
               "businessTimes": [{"day": d, "startTime": a, "endTime": b} for d, a, b in times],
               "associatedHolidayList": holiday_list if holidays else None,
               "createdBy": agent["id"], "modifiedBy": agent["id"], "createdTime": zoho_time(created),
               "modifiedTime": zoho_time(s.modified(created))}


def seed_agent_time_entries(s: Seeder):
    for agent in _some(s, _agents(s), 0.4):
        for _ in range(_range(s, 1, 4)):
            yield _time_entry(s, agent["createdTime"], agent, {"agentId": agent["id"]})


# -- customers ---------------------------------------------------------------------------
def seed_contact_comments(s: Seeder):
    yield from _comments(s, s.store.tables["contacts"].rows, "contactId", share=0.2, most=2)









PRODUCTS = ["Printer", "Router", "Scanner", "Laptop", "Dock", "Headset", "Webcam", "Monitor", "Keyboard",
            "Service Plan"]


def seed_products(s: Seeder):
    rng = s.rng
    departments = s.store.tables["departments"].rows
    for k in range(20):
        created = s.created()
        deps = sorted(rng.sample(departments, _range(s, 1, 3)), key=lambda d: d["id"])
        yield {
            "id": s.ident(), "productName": f"{PRODUCTS[k % len(PRODUCTS)]} {'XL' if k >= 10 else 'One'}",
            "productCode": f"PR-{k:04d}", "productCategory": _pick(s, ["Hardware", "Software", "Service"]),
            "unitPrice": f"{_range(s, 5, 2000)}.00", "description": None,
            "departmentIds": [d["id"] for d in deps], "departments": [{"id": d["id"], "name": d["name"]} for d in deps],
            "ownerId": _agent(s)["id"], "owner": None, "layoutId": None,
            "cf": {"cf_sku_group": _pick(s, ["A", "B", "C"]), "cf_weight_kg": f"{_range(s, 1, 500) / 10:.2f}",
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
        account = _pick(s, accounts)
        product = _pick(s, products) if rng.random() < 0.7 else None
        owner = _agent(s)
        created = _later(s, account["createdTime"], 20)
        start = created + _rand(s, 10) * DAY
        end = start + 365 * DAY
        yield {
            "id": s.ident(), "contractName": f"Support contract {k:05d}", "contractNumber": f"CN-{k:05d}",
            "contractStatus": _pick(s, ["ACTIVE", "ACTIVE", "ACTIVE", "EXPIRED", "INACTIVE"]),
            "description": None, "accountId": account["id"],
            "account": {"id": account["id"], "accountName": account["accountName"], "website": account["website"]},
            "productId": product["id"] if product else None,
            "product": {"id": product["id"], "productName": product["productName"]} if product else None,
            "departmentId": departments[k % len(departments)]["id"], "ownerId": owner["id"],
            "startDate": _day(start), "endDate": _day(end), "notifyBefore": "30", "notifyOn": _day(end - 30 * DAY),
            "notificationAgentIds": [owner["id"]], "associatedSLAId": None, "sla": None, "layoutId": None,
            "cf": {"cf_value": f"{_range(s, 100, 50000)}.50", "cf_renewal_date": _day(end + DAY),
                   "cf_region": _pick(s, REGIONS)},
            "createdBy": owner["id"], "modifiedBy": owner["id"], "createdTime": zoho_time(created),
            "modifiedTime": zoho_time(s.modified(created)),
        }



def seed_customer_happiness(s: Seeder):
    rng = s.rng
    tickets = s.store.tables["tickets"].rows
    count = min(len(tickets), max(10, s.n_tickets // 20))
    for index in sorted(rng.sample(range(len(tickets)), count)):
        ticket = tickets[index]
        rating = _pick(s, ["GOOD", "GOOD", "GOOD", "OK", "OK", "BAD"])
        yield {
            "id": s.ident(), "rating": rating,
            "feedback": {"GOOD": "Quick and helpful", "OK": None, "BAD": "Took too long"}[rating],
            "ticketId": ticket["id"], "ticketNumber": ticket["ticketNumber"], "contactId": ticket["contactId"],
            "agentId": ticket["assigneeId"], "departmentId": ticket["departmentId"],
            "accountId": ticket["accountId"], "channel": ticket["channel"],
            "ratedTime": zoho_time(_later(s, ticket["createdTime"], 10)),
        }


# -- activities --------------------------------------------------------------------------
def _activity(s: Seeder, k: int, module: str, label: str) -> tuple[dict, float]:
    """Fields tasks, calls and events share, and the creation time."""
    rng = s.rng
    tickets = s.store.tables["tickets"].rows
    owner = _agent(s)
    if tickets and rng.random() < 0.6:
        ticket = _pick(s, tickets)
        created = _later(s, ticket["createdTime"], 5)
        ticket_id, contact_id, dep_id = ticket["id"], ticket["contactId"], ticket["departmentId"]
    else:
        contacts = s.store.tables["contacts"].rows
        departments = s.store.tables["departments"].rows
        created = s.created()
        ticket_id, dep_id = None, departments[k % len(departments)]["id"]
        contact_id = _pick(s, contacts)["id"] if rng.random() < 0.7 else None
    row_id = s.ident()
    return {
        "id": row_id, "subject": f"{label} {k}", "description": None, "departmentId": dep_id,
        "ownerId": owner["id"], "creatorId": owner["id"], "modifiedBy": owner["id"], "contactId": contact_id,
        "ticketId": ticket_id, "priority": _pick(s, ["High", "Medium", "Low", None]), "layoutId": None,
        "webUrl": f"{WEB}#{module}/dv/{row_id}", "isTrashed": False,
        "createdTime": zoho_time(created),
    }, created


def seed_tasks(s: Seeder):
    for k in range(max(5, s.n_tickets // 10)):
        row, created = _activity(s, k, "Tasks", "Follow up on case")
        modified = s.modified(created)
        due = created + _range(s, 1, 14) * DAY
        status = _pick(s, TASK_STATUSES)
        row.update({
            "status": status, "category": _pick(s, ["Call back", "Demo", "Follow-up", None]),
            "dueDate": zoho_time(due), "completedTime": zoho_time(modified) if status == "Completed" else None,
            "isCompleted": status == "Completed", "reminder": _reminder(s, row["ownerId"], due),
            "cf": {"cf_effort": str(_range(s, 1, 9)), "cf_area": _pick(s, ["Billing", "Hardware", "Software"])},
            "modifiedTime": zoho_time(modified),
        })
        yield row


def seed_calls(s: Seeder):
    for k in range(max(5, s.n_tickets // 10)):
        row, created = _activity(s, k, "Calls", "Call about case")
        status = _pick(s, CALL_STATUSES)
        duration = _range(s, 30, 3600)
        if status == "Scheduled":
            start = created + _range(s, 1, 10) * DAY
        else:
            start = created - duration - _rand(s, 3600)
        row.update({
            "status": status, "direction": _pick(s, ["inbound", "outbound"]), "startTime": zoho_time(start),
            "duration": str(duration),
            "completedTime": zoho_time(start + duration) if status == "Completed" else None,
            "reminder": _reminder(s, row["ownerId"], start) if status == "Scheduled" else [],
            "cf": {"cf_outcome": _pick(s, ["Resolved", "Escalated", "Voicemail"])},
            "modifiedTime": zoho_time(s.modified(created)),
        })
        yield row


def seed_events(s: Seeder):
    rng = s.rng
    for k in range(max(5, s.n_tickets // 10)):
        row, created = _activity(s, k, "Events", "On-site visit")
        start = created + _range(s, 1, 20) * DAY
        row.update({
            "status": _pick(s, EVENT_STATUSES), "category": _pick(s, ["Meeting", "Visit", "Training", None]),
            "startTime": zoho_time(start), "duration": str(_pick(s, [1800, 3600, 7200])),
            "location": _pick(s, ["Customer site", "Head office", "Video call"]),
            "reminder": _reminder(s, row["ownerId"], start),
            "cf": {"cf_on_site": rng.random() < 0.5},
            "modifiedTime": zoho_time(s.modified(created)),
        })
        yield row









# -- help center and knowledge base ------------------------------------------------------
HELP_CENTERS = [("Acme Help Center", "ACTIVE", "support.acme.example"),
                ("Partner Portal", "ACTIVE", "partners.acme.example"),
                ("Legacy Portal", "INACTIVE", "old.acme.example")]


def seed_help_centers(s: Seeder):
    departments = [d["id"] for d in s.store.tables["departments"].rows]
    for k, (name, status, domain) in enumerate(HELP_CENTERS):
        created = s.created()
        locales = [{"locale": "en", "name": "English", "isDefault": True, "status": "ACTIVE"}]
        if k == 0:
            locales.append({"locale": "de", "name": "Deutsch", "isDefault": False, "status": "ACTIVE"})
        yield {
            "id": s.ident(), "name": name, "status": status, "isDefault": k == 0, "primaryLocale": "en",
            "portalUrl": f"https://{domain}/portal", "logoUrl": None, "faviconUrl": None,
            "departmentIds": departments if k == 0 else departments[k:k + 1], "helpCenterLocales": locales,
            "domains": [{"domain": domain, "isPrimary": True, "isVerified": status == "ACTIVE", "type": "CUSTOM"},
                        {"domain": f"acme{k}.zohodesk.com", "isPrimary": False, "isVerified": True,
                         "type": "ZOHO"}],
            "createdTime": zoho_time(created), "modifiedTime": zoho_time(s.modified(created)),
        }


def _help_center_rows(s: Seeder, names: list[str], extra: Callable[[int], dict]):
    center = s.store.tables["help_centers"].rows[0]["id"]
    for k, name in enumerate(names):
        created = s.created()
        agent = _agent(s)
        yield {"id": s.ident(), "name": name, "description": f"{name} members", "helpCenterId": center,
               "userCount": "0", **extra(k), "createdBy": agent["id"], "modifiedBy": agent["id"],
               "createdTime": zoho_time(created), "modifiedTime": zoho_time(s.modified(created))}


def seed_help_center_groups(s: Seeder):
    yield from _help_center_rows(s, ["Customers", "Partners", "Beta testers", "Resellers"], lambda k: {})


def seed_help_center_labels(s: Seeder):
    colors = ["#1E88E5", "#43A047", "#FB8C00", "#E53935", "#8E24AA"]
    yield from _help_center_rows(s, ["VIP", "Trial", "Enterprise", "Churn risk", "Reseller"],
                                 lambda k: {"color": colors[k]})


def seed_help_center_users(s: Seeder):
    rng = s.rng
    contacts = s.store.tables["contacts"].rows
    centers = s.store.tables["help_centers"].rows
    groups = s.store.tables["help_center_groups"].rows
    labels = s.store.tables["help_center_labels"].rows
    counts: dict[str, int] = {}
    rows = []
    for index in sorted(rng.sample(range(len(contacts)), min(len(contacts), max(10, s.n_tickets // 100)))):
        contact = contacts[index]
        center = centers[0] if rng.random() < 0.8 else centers[1]
        member_of = rng.sample(groups, _range(s, 0, 3)) if center is centers[0] else []
        tagged = rng.sample(labels, _range(s, 0, 2)) if center is centers[0] else []
        for row in member_of + tagged:
            counts[row["id"]] = counts.get(row["id"], 0) + 1
        created = _later(s, contact["createdTime"], 60)
        rows.append({
            "id": s.ident(), "name": f"{contact['firstName']} {contact['lastName']}",
            "firstName": contact["firstName"], "lastName": contact["lastName"], "email": contact["email"],
            "status": _pick(s, ["ACTIVE", "ACTIVE", "ACTIVE", "DISABLED", "UNCONFIRMED"]), "type": "END_USER",
            "contactId": contact["id"], "helpCenterId": center["id"], "photoURL": None,
            "groupIds": [g["id"] for g in member_of], "labelIds": [label["id"] for label in tagged],
            "lastLoginTime": zoho_time(created + _rand(s, 30) * DAY) if rng.random() < 0.7 else None,
            "createdTime": zoho_time(created), "modifiedTime": zoho_time(s.modified(created)),
        })
    for row in groups + labels:
        row["userCount"] = str(counts.get(row["id"], 0))
    yield from rows


def seed_kb_categories(s: Seeder):
    center = s.store.tables["help_centers"].rows[0]["id"]
    for dep in s.store.tables["departments"].rows:
        for j, topic in enumerate(["General", "Troubleshooting"]):
            created = s.created()
            agent = _agent(s)
            slug = f"{dep['sanitizedName']}-{topic.lower()}"
            yield {
                "id": s.ident(), "name": f"{dep['name']} {topic}", "description": f"{topic} articles",
                "departmentId": dep["id"], "helpCenterId": center, "locale": "en",
                "status": "SHOW_IN_HELPCENTER", "visibility": "ALL_USERS" if j == 0 else "AGENTS",
                "logoUrl": None, "order": str(j), "articleCount": "0", "publishedArticleCount": "0",
                "sectionCount": "0", "portalUrl": f"{PORTAL}/{slug}", "createdBy": agent["id"],
                "modifiedBy": agent["id"], "createdTime": zoho_time(created),
                "modifiedTime": zoho_time(s.modified(created)),
            }


def seed_articles(s: Seeder):
    rng = s.rng
    categories = s.store.tables["kb_categories"].rows
    for k in range(30):
        category = _pick(s, categories)
        author = _agent(s)
        created = _later(s, category["createdTime"], 60)
        status = _pick(s, ARTICLE_STATUSES)
        version = f"{_range(s, 1, 5)}.0"
        article_id, translation_id = s.ident(), s.ident()
        permalink = f"how-to-{TOPICS[k % len(TOPICS)].replace(' ', '-')}-{k}"
        translations = [{"locale": "en", "translationId": translation_id, "status": status,
                         "latestVersion": version, "latestVersionStatus": status, "authorId": author["id"],
                         "isTrashed": False, "href": f"{API}/articles/{article_id}/translations/{translation_id}"}]
        if rng.random() < 0.3:
            other = s.ident()
            translations.append({"locale": "de", "translationId": other, "status": "Draft", "latestVersion": "1.0",
                                 "latestVersionStatus": "Draft", "authorId": author["id"], "isTrashed": False,
                                 "href": f"{API}/articles/{article_id}/translations/{other}"})
        attachments = []
        if rng.random() < 0.3:
            att_id = s.ident()
            attachments.append({"id": att_id, "name": _pick(s, FILES), "size": str(_range(s, 1_000, 500_000)),
                                "href": f"{API}/articles/{article_id}/attachments/{att_id}/content"})
        category["articleCount"] = str(int(category["articleCount"]) + 1)
        if status == "Published":
            category["publishedArticleCount"] = str(int(category["publishedArticleCount"]) + 1)
        yield {
            "id": article_id, "title": f"How to {TOPICS[k % len(TOPICS)]} ({k})",
            "summary": f"Step-by-step guide to {TOPICS[k % len(TOPICS)]}.", "permalink": permalink,
            "status": status, "permission": _pick(s, ["ALL", "REGISTEREDUSERS", "AGENTS"]),
            "categoryId": category["id"], "rootCategoryId": category["id"],
            "departmentId": category["departmentId"], "locale": "en", "sourceLocale": "en",
            "authorId": author["id"],
            "author": {"id": author["id"], "name": author["name"], "photoURL": author["photoURL"],
                       "status": author["status"], "zuid": author["zuid"]},
            "creatorId": author["id"], "modifierId": author["id"], "ownerId": author["id"],
            "latestVersion": version, "latestVersionStatus": status, "latestVersionTranslationId": translation_id,
            "latestPublishedVersion": version if status == "Published" else None, "translationId": translation_id,
            "commentCount": "0", "viewCount": str(_rand(s, 5000)), "likeCount": str(_rand(s, 200)),
            "dislikeCount": str(_rand(s, 20)), "feedbackCount": "0", "attachmentCount": str(len(attachments)),
            "tags": sorted(rng.sample(["billing", "hardware", "howto", "security", "setup"], _range(s, 0, 3))),
            "webUrl": f"{WEB}#Solutions/dv/{article_id}", "portalUrl": f"{PORTAL}/articles/{permalink}",
            "isTrashed": False, "availableLocaleTranslations": translations, "attachments": attachments,
            "createdTime": zoho_time(created), "modifiedTime": zoho_time(s.modified(created)),
        }


def seed_article_comments(s: Seeder):
    for article in _some(s, s.store.tables["articles"].rows, 0.4):
        count = _range(s, 1, 5)
        article["commentCount"] = str(count)
        links = {"articleId": article["id"], "locale": article["locale"]}
        for _ in range(count):
            yield _comment(s, article["createdTime"], links)


def seed_article_feedbacks(s: Seeder):
    rng = s.rng
    contacts = s.store.tables["contacts"].rows
    for article in _some(s, s.store.tables["articles"].rows, 0.4):
        count = _range(s, 1, 4)
        article["feedbackCount"] = str(count)
        for _ in range(count):
            contact = _pick(s, contacts) if rng.random() < 0.7 else None
            yield {
                "id": s.ident(), "articleId": article["id"], "articleTitle": article["title"],
                "translationId": article["latestVersionTranslationId"], "locale": "en",
                "feedback": _pick(s, ["The steps did not match my screen.", "Please add screenshots.",
                                        "Outdated for the new version."]),
                "name": f"{contact['firstName']} {contact['lastName']}" if contact else None,
                "email": contact["email"] if contact else None, "contactId": contact["id"] if contact else None,
                "departmentId": article["departmentId"], "ticketId": None,
                "createdTime": zoho_time(_later(s, article["createdTime"])),
            }


def _child_seeder(build: Callable, parents: str, *args, **kwargs) -> Callable:
    """A seeder of one child table: ``build`` over the rows of ``parents``."""

    def seed(s: Seeder):
        yield from build(s, s.store.tables[parents].rows, *args, **kwargs)

    return seed


SEEDERS: list[tuple[str, Callable]] = [
    ("organizations", seed_organizations),
    ("roles", seed_roles),
    ("profiles", seed_profiles),
    ("teams", seed_teams),
    ("business_hours", seed_business_hours),
    ("agent_time_entries", seed_agent_time_entries),
    ("contact_comments", seed_contact_comments),
    ("contact_attachments", _child_seeder(_attachments, "contacts", "contactId", "contacts", share=0.2)),
    ("contact_followers", _child_seeder(_followers, "contacts", "contactId", share=0.2)),
    ("contact_time_entries", _child_seeder(_time_entries, "contacts", "contactId", share=0.2, most=2)),
    ("account_comments", _child_seeder(_comments, "accounts", "accountId")),
    ("account_attachments", _child_seeder(_attachments, "accounts", "accountId", "accounts")),
    ("account_followers", _child_seeder(_followers, "accounts", "accountId")),
    ("account_time_entries", _child_seeder(_time_entries, "accounts", "accountId")),
    ("products", seed_products),
    ("product_attachments", _child_seeder(_attachments, "products", "productId", "products")),
    ("contracts", seed_contracts),
    ("contract_comments", _child_seeder(_comments, "contracts", "contractId")),
    ("customer_happiness", seed_customer_happiness),
    ("tasks", seed_tasks),
    ("calls", seed_calls),
    ("events", seed_events),
    ("task_comments", _child_seeder(_comments, "tasks", "taskId", share=0.25, most=2)),
    ("task_attachments", _child_seeder(_attachments, "tasks", "taskId", "tasks")),
    ("task_time_entries", _child_seeder(_time_entries, "tasks", "taskId", share=0.25, most=2)),
    ("call_comments", _child_seeder(_comments, "calls", "callId", share=0.25, most=2)),
    ("call_attachments", _child_seeder(_attachments, "calls", "callId", "calls")),
    ("event_comments", _child_seeder(_comments, "events", "eventId", share=0.25, most=2)),
    ("event_attachments", _child_seeder(_attachments, "events", "eventId", "events")),
    ("help_centers", seed_help_centers),
    ("help_center_groups", seed_help_center_groups),
    ("help_center_labels", seed_help_center_labels),
    ("help_center_users", seed_help_center_users),
    ("kb_categories", seed_kb_categories),
    ("articles", seed_articles),
    ("article_comments", seed_article_comments),
    ("article_feedbacks", seed_article_feedbacks),
]
