"""Seed data: the comments, attachments, followers and time entries of every object.

One table, CHILDREN, names every such child table: the parent table(s) its rows hang off,
the link field they carry, their kind, the share of parents that get some, at most how many
one parent gets, and the parent's counter of them (when the parent has one). One builder per
kind makes every row of that kind, so a contact's comment and a ticket's, an agent's time
entry and a task's, have the same shape and the same vocabulary. The rules, for every table:

- the first parent of each parent table gets ``most`` children (every table has rows to
  read and to edit, at any scale); any other parent gets 1 to ``most`` with chance ``share``;
- a child's times lie between its parent's createdTime and modifiedTime, so the parent's
  modification covers the changes of its children;
- a parent's counter (a ticket's commentCount, attachmentCount, followerCount,
  timeEntryCount; an article's commentCount) equals the number of its children seeded here;
- followers of one parent are distinct agents; an agent's own time entries are its own;
- a time entry's ``billStatus`` is Zoho's: ``billed`` (billable and invoiced), ``billable``
  (billable, not invoiced yet) or ``nonBillable``, the values the timeEntry lists take as
  their billStatus filter; the first entry of each table is billed.

Archived tickets' children live in the ticket tables (the API paths are the same). Thread
attachments are seeded with their threads (seed_tickets.py), through ``attachment`` below.
These tables hold about half the seeded rows: the builders draw from ``rng.random()`` and
format times with ``clock``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import NamedTuple

from tests.emulator.seed_core import Seeder, clock

API = "https://desk.zoho.com/api/v1"
FILES = [("screenshot.png", 48213), ("invoice.pdf", 120344), ("logs.zip", 902117), ("photo.jpg", 230887),
         ("report.csv", 8812), ("contract.docx", 61440), ("notes.txt", 2048)]
BILLING_TYPES = ["FIXED_COST_FOR_TICKETS", "FIXED_COST_FOR_AGENTS", "SPECIFIC_COST_PER_AGENT",
                 "SPECIFIC_COST_PER_PROFILE"]
CHARGE_TYPES = ["Customer Service", "Upgrade Request", "Product Consultation", "Support and Maintenance"]
COMMENT, ATTACHMENT, FOLLOWER, TIME_ENTRY = "comment", "attachment", "follower", "time entry"
TICKETS = ("tickets", "archived_tickets")
PATH_OF = {"archived_tickets": "tickets"}  # the API path segment of a parent table, when not its name


class Child(NamedTuple):
    table: str
    parents: tuple[str, ...]
    link: str
    kind: str
    share: float
    most: int
    counter: str | None = None
    copy: tuple[str, ...] = ()  # parent fields the child repeats besides the link


CHILDREN: list[Child] = [
    #     table                   parents        link          kind        share most counter
    Child("agent_time_entries",   ("agents",),   "agentId",    TIME_ENTRY, 0.4,  3),
    Child("contact_comments",     ("contacts",), "contactId",  COMMENT,    0.2,  2),
    Child("contact_attachments",  ("contacts",), "contactId",  ATTACHMENT, 0.2,  2),
    Child("contact_followers",    ("contacts",), "contactId",  FOLLOWER,   0.2,  3),
    Child("contact_time_entries", ("contacts",), "contactId",  TIME_ENTRY, 0.2,  2),
    Child("account_comments",     ("accounts",), "accountId",  COMMENT,    0.3,  3),
    Child("account_attachments",  ("accounts",), "accountId",  ATTACHMENT, 0.3,  2),
    Child("account_followers",    ("accounts",), "accountId",  FOLLOWER,   0.3,  3),
    Child("account_time_entries", ("accounts",), "accountId",  TIME_ENTRY, 0.3,  3),
    Child("product_attachments",  ("products",), "productId",  ATTACHMENT, 0.3,  2),
    Child("contract_comments",    ("contracts",), "contractId", COMMENT,   0.3,  3),
    Child("task_comments",        ("tasks",),    "taskId",     COMMENT,    0.25, 2),
    Child("task_attachments",     ("tasks",),    "taskId",     ATTACHMENT, 0.3,  2),
    Child("task_time_entries",    ("tasks",),    "taskId",     TIME_ENTRY, 0.25, 2),
    Child("call_comments",        ("calls",),    "callId",     COMMENT,    0.25, 2),
    Child("call_attachments",     ("calls",),    "callId",     ATTACHMENT, 0.3,  2),
    Child("event_comments",       ("events",),   "eventId",    COMMENT,    0.25, 2),
    Child("event_attachments",    ("events",),   "eventId",    ATTACHMENT, 0.3,  2),
    Child("article_comments",     ("articles",), "articleId",  COMMENT,    0.4,  4, "commentCount", ("locale",)),
    Child("ticket_comments",      TICKETS,       "ticketId",   COMMENT,    0.6,  2, "commentCount"),
    Child("ticket_attachments",   TICKETS,       "ticketId",   ATTACHMENT, 0.3,  2, "attachmentCount"),
    Child("ticket_followers",     TICKETS,       "ticketId",   FOLLOWER,   0.3,  2, "followerCount"),
    Child("ticket_time_entries",  TICKETS,       "ticketId",   TIME_ENTRY, 0.3,  3, "timeEntryCount"),
]


class Parent(NamedTuple):
    """What a builder knows of one parent: first of its table or not, lifetime, links, API path."""

    first: bool  # the first of its table
    low: float  # createdTime
    high: float  # modifiedTime
    links: dict
    path: str  # e.g. "tickets/1892000000000123"


# -- one builder per kind ------------------------------------------------------------------
def comments(s: Seeder, p: Parent, n: int) -> Iterator[dict]:
    random, people, low, high = s.random, s.people(), p.low, p.high
    for _ in range(n):
        agent = people[int(random() * len(people))]
        at = low + int(random() * (high - low + 1))
        commented = clock(at)
        content, mention = "<div>Checked with the customer, see the case notes.</div>", []
        if random() < 0.15:
            other = people[int(random() * len(people))]
            token = f"zsu[@user:{other.row['zuid']}]zsu"
            content = f"Looping in {token} on this."
            mention = [{**other.person, "type": "AGENT", "zuid": other.row["zuid"], "departmentId": None,
                        "entityNumber": None, "offSet": "11", "length": str(len(token))}]
        yield {
            "id": s.ident(), "content": content, "contentType": "html", "isPublic": random() < 0.3,
            "commentedTime": commented,
            "modifiedTime": clock(at + int(random() * (high - at + 1))) if random() < 0.25 else commented,
            "commenterId": agent.id, "commenter": agent.creator.copy(), "mention": mention, "attachments": [],
            **p.links,
        }


def attachment(att_id: str, name: str, size: str, href: str, *, public: bool, created: str, creator: dict,
               links: dict) -> dict:
    """The one attachment shape (a thread's attachments too)."""
    return {"id": att_id, "name": name, "size": size, "href": href, "isPublic": public, "createdTime": created,
            "creatorId": creator["id"], "creator": creator, **links}


def attachments(s: Seeder, p: Parent, n: int) -> Iterator[dict]:
    random, people, low, high = s.random, s.people(), p.low, p.high
    for j in range(n):
        name, size = FILES[int(random() * len(FILES))]
        att_id = s.ident()
        yield attachment(att_id, name, str(size + j), f"{API}/{p.path}/attachments/{att_id}/content",
                         public=random() < 0.5, created=clock(low + int(random() * (high - low + 1))),
                         creator=people[int(random() * len(people))].creator.copy(), links=p.links)


def followers(s: Seeder, p: Parent, n: int) -> Iterator[dict]:
    people = s.people()
    start = int(s.random() * len(people))  # n consecutive agents (cyclically): distinct, cheap
    for k in range(n):  # most <= the number of agents
        yield {**people[(start + k) % len(people)].follower, **p.links}


def time_entries(s: Seeder, p: Parent, n: int) -> Iterator[dict]:
    random, people, low, high = s.random, s.people(), p.low, p.high
    own = p.links.get("agentId")  # an agent's own time entries
    for j in range(n):
        agent = s.person_of(own) if own else people[int(random() * len(people))]
        executed = low + int(random() * (high - low + 1))
        executed_at = clock(executed)
        spent = int(random() * 240)  # minutes
        hours, minutes = divmod(spent, 60)
        forced = p.first and j == 0  # every table has a billable, invoiced entry
        billable = forced or random() < 0.6
        billed = billable and (forced or random() < 0.4)
        rate = 20 + 5 * (spent % 7)
        yield {
            "id": s.ident(), "executedTime": executed_at, "hoursSpent": str(hours), "minutesSpent": str(minutes),
            "secondsSpent": "0", "description": "Investigation and follow-up", "ownerId": agent.id,
            "owner": agent.owner.copy(), "isBillable": billable,
            "billingType": BILLING_TYPES[spent % 4] if billable else None,
            "billStatus": ("billed" if billed else "billable") if billable else "nonBillable",
            "invoiceId": s.ident() if billed else None, "requestChargeType": CHARGE_TYPES[spent // 4 % 4],
            "additionalCost": "0.00", "agentCostPerHour": f"{rate}.00",
            "totalCost": f"{rate * spent / 60:.2f}" if billable else "0.00",
            "cf": {"cf_work_type": "onsite" if spent % 3 == 0 else "remote"},
            "createdTime": executed_at, "modifiedTime": clock(executed + int(random() * (high - executed + 1))),
            "createdBy": agent.id, "modifiedBy": agent.id, **p.links,
        }


BUILDERS: dict[str, Callable[[Seeder, Parent, int], Iterator[dict]]] = {
    COMMENT: comments, ATTACHMENT: attachments, FOLLOWER: followers, TIME_ENTRY: time_entries,
}


def seed_children(s: Seeder, child: Child) -> Iterator[dict]:
    """The rows of one child table, parent by parent; sets the parents' counter."""
    build, random = BUILDERS[child.kind], s.random
    share, most, counter = child.share, child.most, child.counter
    for parent_table in child.parents:
        table = s.store.tables.get(parent_table)
        path = PATH_OF.get(parent_table, parent_table)
        for k, row in enumerate(table.rows if table else []):
            n = most if k == 0 else (1 + int(random() * most) if random() < share else 0)
            if counter:
                row[counter] = str(n)
            if n:
                low, high = s.lifetime(row)
                links = {child.link: row["id"], **{f: row[f] for f in child.copy}}
                yield from build(s, Parent(k == 0, low, high, links, f"{path}/{row['id']}"), n)


def _seeder(child: Child) -> Callable[[Seeder], Iterator[dict]]:
    def seed(s: Seeder) -> Iterator[dict]:
        return seed_children(s, child)

    seed.__name__ = f"seed_{child.table}"
    return seed


SEEDERS: list[tuple[str, Callable]] = [(child.table, _seeder(child)) for child in CHILDREN]
