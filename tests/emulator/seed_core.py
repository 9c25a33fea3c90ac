"""Seed data: the seeder and the core objects (departments, agents, accounts, contacts, tickets).

Everything derives from one ``random.Random(seed)``: the same seed and scale give the same
records, ids and times on every machine. Ids are long digit strings, counters are strings,
times are Zoho's ``YYYY-MM-DDTHH:MM:SS.000Z``, modification times sit on a 15-minute grid so
that ties are common, custom fields live under ``cf``. After these core tables come, in this
order: seed_org.py (organization, people, customers, products, contracts, activities),
seed_kb.py (help center and knowledge base), seed_tickets.py (the ticket family) and last
seed_children.py (every comment, attachment, follower and time-entry table, from one table).

The Seeder also holds what every seed module shares: cheap random draws (``below``,
``between``, ``choose``; seeding 100k tickets draws millions), whole-second Zoho times
formatted and parsed without strftime (``clock`` and ``stamp``), and the agents' summaries
that records embed (``people``). Seeding runs with the cyclic garbage collector paused: rows
are plain dicts without cycles, and collecting would only rescan the growing store.
"""

from __future__ import annotations

import gc
import random
from collections.abc import Callable
from datetime import datetime, timezone

from tests.emulator.data import EPOCH, GRID, Store, zoho_time

DAY = 86400
_HOURS: dict[int, str] = {}
_DAYS: dict[str, float] = {}


def clock(ts: float) -> str:
    """``zoho_time`` for whole seconds, without strftime (the hot path of seeding)."""
    secs = int(ts)
    if secs != ts:
        return zoho_time(ts)
    hour, rest = divmod(secs, 3600)
    prefix = _HOURS.get(hour)
    if prefix is None:
        prefix = _HOURS[hour] = zoho_time(hour * 3600)[:14]  # "YYYY-MM-DDTHH:"
    return f"{prefix}{rest // 60:02d}:{rest % 60:02d}.000Z"


def stamp(value: str) -> float:
    """A seeded Zoho time as a timestamp (whole seconds: seeded times have no milliseconds)."""
    day = _DAYS.get(value[:10])
    if day is None:
        day = _DAYS[value[:10]] = datetime.fromisoformat(value[:10]).replace(tzinfo=timezone.utc).timestamp()
    return day + int(value[11:13]) * 3600 + int(value[14:16]) * 60 + int(value[17:19])


class Person:
    """An agent row and the summaries other records embed (copy them before storing)."""

    __slots__ = ("row", "id", "person", "author", "creator", "owner", "follower")

    def __init__(self, row: dict):
        self.row, self.id = row, row["id"]
        self.person = {"id": row["id"], "name": row["name"], "firstName": row["firstName"],
                       "lastName": row["lastName"], "email": row["emailId"], "photoURL": row["photoURL"]}
        self.author = {**self.person, "type": "AGENT"}
        self.creator = {**self.person, "type": "AGENT", "roleName": "Agent", "zuid": row["zuid"]}
        self.owner = {k: self.person[k] for k in ("id", "firstName", "lastName", "email", "photoURL")}
        self.follower = {"id": row["id"], "name": row["name"], "firstName": row["firstName"],
                         "lastName": row["lastName"], "emailId": row["emailId"], "photoURL": row["photoURL"],
                         "zuid": row["zuid"]}


class Seeder:
    """Builds every table of a store from one seed and a ticket count."""

    def __init__(self, store: Store, *, seed: int, tickets: int):
        self.store = store
        self.rng = random.Random(seed)
        self.random = self.rng.random
        self.n_tickets = tickets
        # time span grows with the data so ties stay frequent but bounded
        self.span = int(min(600, max(30, tickets / 50)) * 86400)
        self.seq = 0
        self._people: list[Person] = []
        self._person_of: dict[str, Person] = {}
        self._spans: dict[str, tuple[float, float]] = {}

    def ident(self) -> str:
        self.seq += 1
        return str(1892000000000000 + self.seq * 7 + int(self.random() * 7))

    def created(self) -> float:
        return EPOCH + int(self.random() * self.span)

    def modified(self, created: float) -> float:
        later = created + int(self.random() * 20 * 3600)
        return ((later + GRID - 1) // GRID) * GRID

    def pick(self, stream: str) -> dict:
        return self.rng.choice(self.store.tables[stream].rows)

    # -- cheap draws -----------------------------------------------------------------------
    def below(self, n: int) -> int:
        """``rng.randrange(n)``, several times cheaper."""
        return int(self.random() * n)

    def between(self, low: int, high: int) -> int:
        """``rng.randrange(low, high)``, cheaper."""
        return low + int(self.random() * (high - low))

    def choose(self, seq: list):
        return seq[int(self.random() * len(seq))]

    def within(self, low: float, high: float) -> float:
        """A whole second in [low, high]."""
        return low + int(self.random() * (high - low + 1))

    def later(self, text: str, days: int = 30) -> float:
        """A moment after the Zoho time ``text``, within ``days``."""
        return stamp(text) + 60 + self.below(days * DAY)

    def some(self, rows: list[dict], share: float) -> list[dict]:
        """The rows that get something: about ``share`` of them, never none."""
        random_ = self.random
        return [r for r in rows if random_() < share] or rows[:1]

    # -- agents and spans ------------------------------------------------------------------
    def people(self) -> list[Person]:
        """The agents' summaries, built on first use (after the agents are seeded)."""
        if not self._people:
            self._people = [Person(a) for a in self.store.tables["agents"].rows]
            self._person_of = {p.id: p for p in self._people}
        return self._people

    def person(self) -> Person:
        """A random agent."""
        people = self.people()
        return people[int(self.random() * len(people))]

    def person_of(self, agent_id: str) -> Person:
        self.people()
        return self._person_of[agent_id]

    def agent(self) -> dict:
        """A random agent row."""
        return self.person().row

    def lifetime(self, row: dict) -> tuple[float, float]:
        """A seeded row's (createdTime, modifiedTime) as timestamps."""
        span = self._spans.get(row["id"])
        if span is None:
            span = self._spans[row["id"]] = (stamp(row["createdTime"]), stamp(row["modifiedTime"]))
        return span

    def run(self) -> Store:
        enabled = gc.isenabled()
        gc.disable()
        try:
            for name, build in all_seeders():
                table = self.store.table(name)
                for row in build(self):
                    table.add(row)
        finally:
            if enabled:
                gc.enable()
        for name in self.store.tables:
            self.store.fields(name)
        self.fill_recycle_bin()
        return self.store

    def fill_recycle_bin(self) -> None:
        """Some records were deleted before the tap ever ran: the last of each module."""
        agent = self.store.tables["agents"].rows[0]
        for k, module in enumerate(RECYCLED):
            rows = self.store.tables[module].rows
            if len(rows) > 3:
                when = zoho_time(EPOCH + self.span + (k + 1) * 3600)
                self.store.trash(module, rows[-1]["id"], deleted_by=agent, when=when)


FIRST = ["Jade", "Arya", "Bran", "Cal", "Dana", "Eli", "Faye", "Gus", "Hana", "Ivo", "June", "Kai"]
LAST = ["Tywin", "Stark", "Moss", "Reyes", "Okafor", "Lind", "Sato", "Novak", "Haas", "Ortiz"]
STATUSES = [("Open", "Open"), ("On Hold", "On Hold"), ("Escalated", "Open"), ("Closed", "Closed")]
CHANNELS = ["Email", "Phone", "Web", "Chat", "Twitter", "FORUMS"]
PRIORITIES = ["High", "Medium", "Low", None]
REGIONS = ["EMEA", "AMER", "APAC"]


def seed_departments(s: Seeder):
    names = ["Support", "Billing", "Sales", "Field Service"]
    for k, name in enumerate(names[: max(3, min(4, 1 + s.n_tickets // 500))]):
        created = s.created()
        yield {
            "id": s.ident(), "name": name, "nameInCustomerPortal": name, "description": f"{name} desk",
            "isEnabled": True, "isDefault": k == 0, "isVisibleInCustomerPortal": True,
            "isAssignToTeamEnabled": k % 2 == 0, "hasLogo": False,
            "chatStatus": "AVAILABLE" if k % 2 == 0 else "NOT_CREATED",
            "associatedAgentIds": [], "creatorId": None, "createdTime": zoho_time(created),
            "sanitizedName": name.lower().replace(" ", "-"),
        }


def seed_agents(s: Seeder):
    departments = [d["id"] for d in s.store.tables["departments"].rows]
    for k in range(12):
        first, last = FIRST[k % len(FIRST)], LAST[k % len(LAST)]
        created = s.created()
        row = {
            "id": s.ident(), "zuid": str(55616589 + k), "name": f"{first} {last}", "firstName": first,
            "lastName": last, "emailId": f"{first.lower()}.{last.lower()}@example.com",
            "phone": f"+1-555-01{k:02d}", "mobile": None, "extn": None,
            "status": "ACTIVE" if k < 10 else "DISABLED", "roleId": None, "profileId": None,
            "rolePermissionType": "Admin" if k == 0 else "AgentPersonal",
            "photoURL": None, "langCode": "en_US", "timeZone": "Europe/London", "countryCode": "en_GB",
            "aboutInfo": None, "associatedDepartmentIds": sorted(s.rng.sample(departments, 2)),
            "associatedChatDepartmentIds": [], "isConfirmed": k != 11, "channelExpert": ["Email"],
            "createdTime": zoho_time(created), "modifiedTime": zoho_time(s.modified(created)),
        }
        for dep in row["associatedDepartmentIds"]:
            s.store.tables["departments"].by_id[dep]["associatedAgentIds"].append(row["id"])
        yield row


def seed_accounts(s: Seeder):
    for k in range(max(5, s.n_tickets // 20)):
        created = s.created()
        yield {
            "id": s.ident(), "accountName": f"Account {k:05d}", "email": f"office{k}@acme{k % 97}.example",
            "website": f"https://acme{k % 97}.example", "phone": f"+44-20-7946-{k % 10000:04d}", "fax": None,
            "industry": s.rng.choice(["Retail", "Energy", "Software", None]),
            "annualRevenue": str(s.rng.randrange(10, 5000) * 1000), "code": f"AC{k:05d}", "description": None,
            "street": f"{k} High Street", "city": "London", "state": None, "country": "UK", "zip": "N1 9GU",
            "ownerId": s.pick("agents")["id"], "createdTime": zoho_time(created),
            "modifiedTime": zoho_time(s.modified(created)),
            "webUrl": f"https://desk.zoho.com/support/acme/ShowHomePage.do#Accounts/dv/{k}",
            "customerHappiness": {"badPercentage": "0", "okPercentage": "25", "goodPercentage": "75"},
            "zohoCRMAccount": None, "layoutId": None, "layoutDetails": None,
            "cf": {"cf_region": s.rng.choice(REGIONS), "cf_tier": str(s.rng.randrange(1, 4))},
            "isDeleted": False, "isTrashed": False, "isFollowing": False,
        }


def seed_contacts(s: Seeder):
    accounts = s.store.tables["accounts"].rows
    for k in range(max(20, s.n_tickets // 4)):
        first, last = FIRST[k % len(FIRST)], LAST[(k // 3) % len(LAST)]
        created = s.created()
        account = accounts[k % len(accounts)]
        yield {
            "id": s.ident(), "firstName": first, "lastName": f"{last}{k}",
            "email": f"{first.lower()}.{k}@customer.example", "secondaryEmail": None,
            "phone": f"+1-555-2{k % 1000:03d}", "mobile": None, "title": None, "type": None,
            "description": None, "accountId": account["id"], "ownerId": s.pick("agents")["id"],
            "street": None, "city": None, "state": None, "country": None, "zip": None, "facebook": None,
            "twitter": None, "photoURL": None,
            "webUrl": f"https://desk.zoho.com/support/acme/ShowHomePage.do#Contacts/dv/{k}",
            "createdTime": zoho_time(created), "modifiedTime": zoho_time(s.modified(created)),
            "isDeleted": False, "isTrashed": False, "isSpam": False, "isAnonymous": False,
            "isEndUser": k % 5 == 0, "isFollowing": False, "zohoCRMContact": None,
            "customerHappiness": {"badPercentage": "0", "okPercentage": "0", "goodPercentage": "100"},
            "layoutId": None, "layoutDetails": None, "accountCount": "1",
            "cf": {"cf_vip": k % 11 == 0, "cf_language": s.rng.choice(["en", "de", "fr"])},
        }


def seed_tickets(s: Seeder):
    random = s.rng.random
    departments = s.store.tables["departments"].rows
    agents = s.store.tables["agents"].rows
    contacts = s.store.tables["contacts"].rows
    created_times = sorted(s.created() for _ in range(s.n_tickets))
    for k, created in enumerate(created_times):
        dep = departments[k % len(departments)]
        contact = contacts[int(random() * len(contacts))]
        agent = agents[int(random() * len(agents))]
        status, status_type = STATUSES[int(random() * len(STATUSES))]
        created_at, modified_at = clock(created), clock(s.modified(created))
        shared = [] if k % 7 else [{"id": departments[(k + 1) % len(departments)]["id"],
                                    "name": departments[(k + 1) % len(departments)]["name"],
                                    "type": "READ_ONLY"}]
        yield {
            "id": s.ident(), "ticketNumber": str(101 + k), "subject": f"Ticket {k}: printer on fire",
            "description": f"<div>Customer report #{k}</div>", "status": status, "statusType": status_type,
            "priority": PRIORITIES[k % len(PRIORITIES)], "channel": CHANNELS[k % len(CHANNELS)],
            "channelCode": None, "language": "English", "category": None, "subCategory": None,
            "classification": None, "resolution": None, "departmentId": dep["id"],
            "contactId": contact["id"], "accountId": contact["accountId"], "productId": None,
            "assigneeId": agent["id"], "teamId": None, "layoutId": None, "slaId": None,
            "createdBy": agent["id"], "modifiedBy": agent["id"], "email": contact["email"],
            "phone": contact["phone"],
            "webUrl": f"https://desk.zoho.com/support/acme/ShowHomePage.do#Cases/dv/{k}",
            "createdTime": created_at, "modifiedTime": modified_at,
            "closedTime": modified_at if status_type == "Closed" else None,
            "dueDate": clock(created + 3 * DAY), "responseDueDate": None,
            "customerResponseTime": created_at, "onholdTime": None,
            "lastActivityTime": modified_at,
            "isOverDue": False, "isResponseOverdue": False, "isEscalated": status == "Escalated",
            "isSpam": False, "isTrashed": False, "isArchived": False, "isDeleted": False,
            "isRead": k % 2 == 0, "isFollowing": False,
            "threadCount": str(1 + k % 4), "commentCount": "0", "taskCount": "0",
            "approvalCount": "0", "timeEntryCount": "0", "attachmentCount": "0",
            "tagCount": "0", "followerCount": "0", "sharedCount": str(len(shared)),
            "sharedDepartments": shared, "secondaryContacts": [],
            "source": {"appName": None, "extId": None, "type": "SYSTEM", "permalink": None,
                       "appPhotoURL": None},
            "sentiment": None, "layoutDetails": None, "entitySkills": [],
            "lastThread": {"channel": "EMAIL", "isDraft": False, "isForward": False, "direction": "in"},
            "cf": {"cf_region": REGIONS[k % 3], "cf_score": str(k % 10), "cf_escalated_on": None},
        }


RECYCLED = ("tickets", "contacts", "accounts", "contracts", "tasks", "calls", "events", "products")

CORE_SEEDERS: list[tuple[str, Callable]] = [
    ("departments", seed_departments),
    ("agents", seed_agents),
    ("accounts", seed_accounts),
    ("contacts", seed_contacts),
    ("tickets", seed_tickets),
]


def all_seeders() -> list[tuple[str, Callable]]:
    """Core tables first, then the objects that hang off them; children of every kind last."""
    from tests.emulator import seed_children, seed_kb, seed_org
    from tests.emulator import seed_tickets as seed_ticket_family

    return CORE_SEEDERS + seed_org.SEEDERS + seed_kb.SEEDERS + seed_ticket_family.SEEDERS + seed_children.SEEDERS


def build_store(*, seed: int = 7, tickets: int = 200) -> Store:
    return Seeder(Store(), seed=seed, tickets=tickets).run()
