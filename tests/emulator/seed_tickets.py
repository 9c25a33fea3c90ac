"""Seed data: the ticket family.

Tags per department, archived tickets, and the children of tickets: threads (and their
attachments), comments, attachments, followers, time entries, activities, approvals,
metrics, Jira links and tag associations. Archived tickets get threads, comments,
attachments, followers and time entries too; their children live in the same tables as
those of live tickets (the API paths are the same).

Every child's times lie between its ticket's createdTime and modifiedTime, so a ticket's
modification covers the changes of its children. The tickets' counters (threadCount,
commentCount, attachmentCount, followerCount, timeEntryCount, approvalCount, tagCount)
equal the number of child rows seeded here; a thread's attachmentCount equals its
attachments and a tag's count its ticket associations.

These tables hold most of the seeded rows (about eight per ticket), so the code keeps the
work per row small: whole-second times are formatted without strftime, random numbers
come from ``rng.random()``, and the cyclic garbage collector pauses while rows are built
(they are plain dicts without cycles; collecting would only rescan the store).
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from weakref import WeakKeyDictionary

from tests.emulator.data import zoho_time
from tests.emulator.seed_core import Seeder, seed_tickets

SUPPORT_ADDRESS = "support@acme.zohodesk.com"
API = "https://desk.zoho.com/api/v1"
WEB = "https://desk.zoho.com/support/acme/ShowHomePage.do#"
TAG_NAMES = ["billing", "urgent", "vip", "refund", "bug", "how-to", "outage", "feedback", "renewal",
             "hardware", "login", "shipping"]
FILES = [("screenshot.png", 48213), ("invoice.pdf", 120344), ("logs.zip", 902117), ("photo.jpg", 230887),
         ("report.csv", 8812)]
BILLING = ["FIXED_COST_FOR_TICKETS", "FIXED_COST_FOR_AGENTS", "SPECIFIC_COST_PER_AGENT",
           "SPECIFIC_COST_PER_PROFILE"]
CHARGE = ["Customer Service", "Upgrade Request", "Product Consultation", "Support and Maintenance"]
ACTIVITY_KINDS = ["TASK", "CALL", "EVENT"]
ACTIVITY_STATUS = {"TASK": ["Not Started", "In Progress", "Completed", "Deferred"],
                   "CALL": ["Completed", "Scheduled"], "EVENT": ["Planned", "Held", "Not Held", "Completed"]}
APPROVAL_STATUS = ["Pending", "Approved", "Rejected"]
JIRA_STATUS = ["To Do", "In Progress", "In Review", "Done"]
JIRA_TYPES = ["Bug", "Task", "Story"]
LEVELS = ["High", "Medium", "Low"]

# share of tickets that get each kind of child (the first ticket of each table gets all)
P_ATTACHMENTS = P_FOLLOWERS = P_TIME_ENTRIES = P_TAGS = 0.3
P_ACTIVITIES = 0.15
P_APPROVALS = 0.05
P_JIRA = 0.02
P_THREAD_ATTACHMENT = 0.12  # share of threads


# -- helpers -----------------------------------------------------------------------------
_HOURS: dict[int, str] = {}
_DAYS: dict[str, float] = {}


def _time(ts: float) -> str:
    """``zoho_time`` for whole seconds, without strftime (the hot path of seeding)."""
    secs = int(ts)
    if secs != ts:
        return zoho_time(ts)
    hour, rest = divmod(secs, 3600)
    prefix = _HOURS.get(hour)
    if prefix is None:
        prefix = _HOURS[hour] = zoho_time(hour * 3600)[:14]  # "YYYY-MM-DDTHH:"
    return f"{prefix}{rest // 60:02d}:{rest % 60:02d}.000Z"


def _ts(value: str) -> float:
    """A Zoho time as a timestamp (whole seconds: seeded times have no milliseconds)."""
    day = _DAYS.get(value[:10])
    if day is None:
        day = _DAYS[value[:10]] = datetime.fromisoformat(value[:10]).replace(tzinfo=timezone.utc).timestamp()
    return day + int(value[11:13]) * 3600 + int(value[14:16]) * 60 + int(value[17:19])


def _hours(seconds: float) -> str:
    minutes = int(seconds) // 60
    return f"{minutes // 60:02d}:{minutes % 60:02d} hrs"


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _quiet_gc(build: Callable) -> Callable:
    """Run a seeder with the cyclic garbage collector paused."""

    @functools.wraps(build)
    def run(s: Seeder):
        enabled = gc.isenabled()
        gc.disable()
        try:
            yield from build(s)
        finally:
            if enabled:
                gc.enable()

    return run


class _Agent:
    """An agent row and the summaries other records embed (copied per record)."""

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


class _Family:
    """Lookups every seeder of this module needs, built once per Seeder."""

    def __init__(self, s: Seeder):
        # no reference to ``s`` itself: it is the weak key of this object
        self.tables = tables = s.store.tables
        self.random = s.rng.random
        self.agents = [_Agent(a) for a in tables["agents"].rows]
        self.by_agent_id = {a.id: a for a in self.agents}
        self.contacts = tables["contacts"].by_id
        self._spans: dict[str, tuple[float, float]] = {}

    def span(self, ticket: dict) -> tuple[float, float]:
        """The ticket's (createdTime, modifiedTime) as timestamps."""
        span = self._spans.get(ticket["id"])
        if span is None:
            span = self._spans[ticket["id"]] = (_ts(ticket["createdTime"]), _ts(ticket["modifiedTime"]))
        return span

    def at(self, low: float, high: float) -> float:
        """A whole second in [low, high]."""
        return low + int(self.random() * (high - low + 1))

    def pick(self, items: list):
        return items[int(self.random() * len(items))]

    def agent(self) -> _Agent:
        return self.agents[int(self.random() * len(self.agents))]

    def parents(self, *, archived: bool = True) -> Iterator[tuple[bool, dict]]:
        """(first of its table, ticket) for live tickets, then archived ones."""
        groups = [self.tables["tickets"].rows]
        if archived and "archived_tickets" in self.tables:
            groups.append(self.tables["archived_tickets"].rows)
        for rows in groups:
            for k, row in enumerate(rows):
                yield k == 0, row


_FAMILIES: WeakKeyDictionary[Seeder, _Family] = WeakKeyDictionary()


def _family(s: Seeder) -> _Family:
    fam = _FAMILIES.get(s)
    if fam is None:
        fam = _FAMILIES[s] = _Family(s)
    return fam


# -- tags and archived tickets ----------------------------------------------------------
def seed_tags(s: Seeder):
    fam = _family(s)
    for dep in s.store.tables["departments"].rows:
        for k, name in enumerate(TAG_NAMES):
            yield {
                "id": s.ident(), "name": name, "tagType": "AUTO" if k % 5 == 4 else "MANUAL",
                "count": "0", "departmentId": dep["id"], "createdTime": zoho_time(s.created()),
                "createdBy": fam.agent().id,
            }


class _Scaled:
    """The Seeder seen with another ticket count: ids, times and randomness stay shared."""

    def __init__(self, s: Seeder, tickets: int):
        self.store, self.rng, self.n_tickets = s.store, s.rng, tickets
        self.ident, self.created, self.modified = s.ident, s.created, s.modified


@_quiet_gc
def seed_archived_tickets(s: Seeder):
    """Closed tickets moved to the archive: the core ticket shape (same keys), archived."""
    for k, row in enumerate(seed_tickets(_Scaled(s, max(5, s.n_tickets // 10)))):
        number = s.n_tickets + k
        row.update({
            "ticketNumber": str(101 + number), "subject": f"Archived ticket {k}: printer was on fire",
            "status": "Closed", "statusType": "Closed", "closedTime": row["modifiedTime"],
            "isArchived": True, "isEscalated": False, "isOverDue": False, "isRead": True,
            "webUrl": f"{WEB}Cases/dv/{number}", "approvalCount": "0", "tagCount": "0", "taskCount": "0",
        })
        yield row


# -- threads ----------------------------------------------------------------------------
@_quiet_gc
def seed_threads(s: Seeder):
    fam = _family(s)
    random, ident = fam.random, s.ident
    contacts, agents = fam.contacts, fam.agents
    for first, ticket in fam.parents():
        tid, subject, email = ticket["id"], ticket["subject"], ticket["email"]
        created, modified = fam.span(ticket)
        n = max(1, int(ticket.get("threadCount") or 1))
        ticket["threadCount"] = str(n)
        width = modified - created + 1
        times = [created]
        if n > 1:
            times += sorted(created + int(random() * width) for _ in range(n - 1))
        contact = contacts.get(ticket["contactId"]) or {}
        first_name, last_name = contact.get("firstName"), contact.get("lastName")
        customer = {"id": contact.get("id"), "name": f"{first_name} {last_name}", "email": email,
                    "type": "END_USER", "photoURL": None, "firstName": first_name, "lastName": last_name}
        channel = (ticket["channel"] or "EMAIL").upper()
        reply = "Re: " + subject
        texts = [(subject, f"<div>{subject}</div>"), (reply, f"<div>{reply}</div>")]
        href = f"{API}/tickets/{tid}/sendReply"
        last = ticket.get("lastThread")
        if isinstance(last, dict):
            last.update(channel=channel, direction="out" if (n - 1) % 2 else "in")
        for j in range(n - 1, -1, -1):  # the API lists threads newest first
            when = times[j]
            if j % 2 == 0:
                author, responder, sender, to, responded = customer, None, email, SUPPORT_ADDRESS, None
            else:
                agent = agents[int(random() * len(agents))]
                author, responder, sender, to = agent.author, agent.id, SUPPORT_ADDRESS, email
                responded = _clock(when - times[j - 1])
            attach = random() < P_THREAD_ATTACHMENT or (first and j == 0)
            text, html = texts[j > 0]
            yield {
                "id": ident(), "channel": channel, "canReply": True, "contentType": "text/html",
                "hasAttach": attach, "status": "SUCCESS", "summary": text, "author": author.copy(),
                "attachmentCount": ("1", "2")[random() < 0.5] if attach else "0", "respondedIn": responded,
                "isDescriptionThread": False, "visibility": "private" if j % 5 == 4 else "public",
                "createdTime": _time(when), "direction": "out" if j % 2 else "in", "to": to,
                "cc": None, "bcc": None, "fromEmailAddress": sender, "responderId": responder,
                "isForward": False,
                "actions": [{"type": "REPLY", "label": "Reply", "method": "POST", "href": href,
                             "isEnabled": True}],
                "content": html, "plainText": text, "attachments": [], "replyTo": None,
                "isContentTruncated": False, "fullContentURL": None,
                "source": {"appName": None, "extId": None, "type": "SYSTEM", "permalink": None,
                           "appPhotoURL": None},
                "ticketId": tid,
            }


@_quiet_gc
def seed_thread_attachments(s: Seeder):
    """The attachments of threads with ``hasAttach``; fills the threads' ``attachments``."""
    fam = _family(s)
    for thread in s.store.tables["threads"].rows:
        if not thread["hasAttach"]:
            continue
        author = thread["author"]
        agent = fam.by_agent_id.get(author["id"]) if author["type"] == "AGENT" else None
        if agent is not None:
            creator = agent.creator
        else:
            creator = {k: author[k] for k in ("id", "name", "firstName", "lastName", "email", "photoURL")}
            creator.update(type=author["type"], roleName="PortalUser", zuid=None)
        base = f"{API}/tickets/{thread['ticketId']}/threads/{thread['id']}/attachments/"
        for j in range(int(thread["attachmentCount"])):
            name, size = fam.pick(FILES)
            att_id = s.ident()
            href = f"{base}{att_id}/content"
            thread["attachments"].append({"id": att_id, "name": name, "size": str(size + j), "href": href})
            yield {
                "id": att_id, "name": name, "size": str(size + j), "href": href,
                "isPublic": thread["visibility"] == "public", "createdTime": thread["createdTime"],
                "creatorId": author["id"], "creator": creator.copy(),
                "ticketId": thread["ticketId"], "threadId": thread["id"],
            }


# -- comments, attachments, followers, time entries (shared shapes) ---------------------
@_quiet_gc
def seed_ticket_comments(s: Seeder):
    fam = _family(s)
    random = fam.random
    for _, ticket in fam.parents():
        n = int(ticket.get("commentCount") or 0)
        ticket["commentCount"] = str(n)
        if not n:
            continue
        created, modified = fam.span(ticket)
        for _ in range(n):
            agent = fam.agent()
            commented = fam.at(created, modified)
            commented_at = _time(commented)
            edited_at = _time(fam.at(commented, modified)) if random() < 0.25 else commented_at
            mention, content = [], "Internal note: checked with the customer."
            if random() < 0.1:
                other = fam.agent()
                zuid = other.row["zuid"]
                content = f"Looping in zsu[@user:{zuid}]zsu on this one."
                mention = [{**other.person, "type": "AGENT", "zuid": zuid, "departmentId": None,
                            "entityNumber": None, "offSet": "11", "length": str(14 + len(zuid))}]
            yield {
                "id": s.ident(), "content": content, "contentType": "html", "isPublic": random() < 0.3,
                "commentedTime": commented_at, "modifiedTime": edited_at,
                "commenterId": agent.id, "commenter": agent.creator.copy(),
                "mention": mention, "attachments": [], "ticketId": ticket["id"],
            }


@_quiet_gc
def seed_ticket_attachments(s: Seeder):
    fam = _family(s)
    random = fam.random
    for first, ticket in fam.parents():
        n = (1 + (random() < 0.5)) if random() < P_ATTACHMENTS or first else 0
        ticket["attachmentCount"] = str(n)
        if not n:
            continue
        created, modified = fam.span(ticket)
        for j in range(n):
            agent = fam.agent()
            name, size = fam.pick(FILES)
            att_id = s.ident()
            yield {
                "id": att_id, "name": name, "size": str(size + j),
                "href": f"{API}/tickets/{ticket['id']}/attachments/{att_id}/content",
                "isPublic": random() < 0.5, "createdTime": _time(fam.at(created, modified)),
                "creatorId": agent.id, "creator": agent.creator.copy(), "ticketId": ticket["id"],
            }


@_quiet_gc
def seed_ticket_followers(s: Seeder):
    fam = _family(s)
    random = fam.random
    for first, ticket in fam.parents():
        n = (1 + (random() < 0.5)) if random() < P_FOLLOWERS or first else 0
        ticket["followerCount"] = str(n)
        if not n:
            continue
        agents = fam.agents
        i = int(random() * len(agents))
        picked = [i] if n == 1 else [i, (i + 1 + int(random() * (len(agents) - 1))) % len(agents)]
        for agent in (agents[k] for k in picked):
            yield {**agent.follower, "ticketId": ticket["id"]}


@_quiet_gc
def seed_ticket_time_entries(s: Seeder):
    fam = _family(s)
    random = fam.random
    for first, ticket in fam.parents():
        n = 1 + int(random() * 3) if random() < P_TIME_ENTRIES or first else 0
        ticket["timeEntryCount"] = str(n)
        if not n:
            continue
        created, modified = fam.span(ticket)
        for j in range(n):
            agent = fam.agent()
            executed = fam.at(created, modified)
            executed_at = _time(executed)
            spent = int(random() * 240)  # minutes
            hours, minutes = divmod(spent, 60)
            forced = first and j == 0  # every table has a billable, invoiced entry
            billable = random() < 0.6 or forced
            invoiced = billable and (spent % 3 == 0 or forced)
            rate = 20 + 5 * (spent % 8)
            yield {
                "id": s.ident(), "executedTime": executed_at, "hoursSpent": str(hours),
                "minutesSpent": str(minutes), "secondsSpent": "0", "description": "Investigation",
                "ownerId": agent.id, "owner": agent.owner.copy(), "isBillable": billable,
                "billingType": BILLING[spent % 4] if billable else None,
                "billStatus": ("Billed" if invoiced else "Unbilled") if billable else "Non Billable",
                "invoiceId": s.ident() if invoiced else None,
                "requestChargeType": CHARGE[spent // 4 % 4], "additionalCost": "0.00",
                "agentCostPerHour": f"{rate}.00" if billable else None,
                "totalCost": f"{rate * spent / 60:.2f}" if billable else "0.00",
                "cf": {"cf_work_type": "remote" if spent % 3 else "onsite"},
                "createdTime": executed_at, "modifiedTime": _time(fam.at(executed, modified)),
                "createdBy": agent.id, "modifiedBy": agent.id, "ticketId": ticket["id"],
            }


# -- objects of live tickets only ------------------------------------------------------
@_quiet_gc
def seed_ticket_activities(s: Seeder):
    """Tasks, calls and events linked to tickets, as ``GET /tickets/{id}/activities`` lists them."""
    fam = _family(s)
    random = fam.random
    for first, ticket in fam.parents(archived=False):
        if not (random() < P_ACTIVITIES or first):
            continue
        created, modified = fam.span(ticket)
        number = ticket["ticketNumber"]
        for j in range(1 + (random() < 0.5)):
            kind = ACTIVITY_KINDS[(int(number) + j) % 3]
            agent = fam.agent()
            made = fam.at(created, modified)
            changed = fam.at(made, modified)
            status = fam.pick(ACTIVITY_STATUS[kind])
            done = status in ("Completed", "Held")
            act_id = s.ident()
            task = kind == "TASK"
            yield {
                "id": act_id, "activityType": kind, "subject": f"{kind.title()} about ticket #{number}",
                "description": None, "status": status, "priority": fam.pick(LEVELS),
                "category": "Follow-up" if task else None, "ownerId": agent.id, "owner": agent.person.copy(),
                "departmentId": ticket["departmentId"], "contactId": ticket["contactId"],
                "dueDate": _time(made + 2 * 86400) if task else None,
                "startTime": None if task else _time(made + 3600),
                "duration": None if task else str(300 * (1 + int(random() * 6))),
                "direction": ("inbound" if j % 2 else "outbound") if kind == "CALL" else None,
                "completedTime": _time(changed) if done else None, "isCompleted": done,
                "createdTime": _time(made), "modifiedTime": _time(changed),
                "createdBy": agent.id, "modifiedBy": agent.id,
                "webUrl": f"{WEB}{kind.title()}s/dv/{act_id}", "cf": {"cf_outcome": None},
                "ticketId": ticket["id"],
            }


@_quiet_gc
def seed_ticket_approvals(s: Seeder):
    fam = _family(s)
    random = fam.random
    for first, ticket in fam.parents(archived=False):
        n = (1 + (random() < 0.5)) if random() < P_APPROVALS or first else 0
        ticket["approvalCount"] = str(n)
        if not n:
            continue
        created, modified = fam.span(ticket)
        for j in range(n):
            requester, approver = fam.agent(), fam.agent()
            status = APPROVAL_STATUS[(j + int(random() * 3)) % 3]
            asked = fam.at(created, modified)
            pending = status == "Pending"
            yield {
                "id": s.ident(), "subject": f"Approve refund for ticket #{ticket['ticketNumber']}",
                "description": "Customer asks for a goodwill refund.", "status": status,
                "requesterId": requester.id, "requester": requester.person.copy(),
                "approverIds": [approver.id], "approver": None if pending else approver.person.copy(),
                "createdTime": _time(asked),
                "processedTime": None if pending else _time(fam.at(asked, modified)),
                "ticketId": ticket["id"],
            }


@_quiet_gc
def seed_ticket_metrics(s: Seeder):
    """One row per live ticket (``GET /tickets/{id}/metrics`` answers a single object)."""
    fam = _family(s)
    random = fam.random
    for _, ticket in fam.parents(archived=False):
        created, modified = fam.span(ticket)
        life = modified - created
        threads = ticket["threadCount"]
        replies = int(threads) // 2  # threads alternate in/out, starting with the customer's
        agent = fam.agent()
        closed = ticket["statusType"] == "Closed"
        life_hours = _hours(life)
        if replies:
            first_response = life * random()
            first, total = _hours(first_response), _hours(first_response * replies)
        else:
            first = total = None
        if closed:
            open_time = int(life * 0.8)
            staging = [{"status": "Open", "statusType": "Open", "handledTime": _hours(open_time)},
                       {"status": ticket["status"], "statusType": "Closed", "handledTime": _hours(life - open_time)}]
        else:
            staging = [{"status": "Open", "statusType": "Open", "handledTime": life_hours}]
        replies_text = str(replies)
        yield {
            "ticketId": ticket["id"], "firstResponseTime": first, "totalResponseTime": total,
            "resolutionTime": life_hours if closed else None, "responseCount": replies_text,
            "outgoingCount": replies_text, "threadCount": threads,
            "reopenCount": "1" if closed and random() < 0.2 else "0", "reassignCount": str(int(random() * 3)),
            "stagingData": staging,
            "agentsHandled": [{"agentId": agent.id, "agentName": agent.row["name"], "handlingTime": life_hours}],
        }


@_quiet_gc
def seed_jira_issues(s: Seeder):
    fam = _family(s)
    random = fam.random
    number = 100
    for first, ticket in fam.parents(archived=False):
        if not (random() < P_JIRA or first):
            continue
        number += 1
        created, modified = fam.span(ticket)
        linked = fam.at(created, modified)
        agent = fam.agent()
        yield {
            "id": s.ident(), "key": f"DESK-{number}", "summary": f"Investigate: {ticket['subject']}",
            "status": fam.pick(JIRA_STATUS), "issueType": fam.pick(JIRA_TYPES), "priority": fam.pick(LEVELS),
            "projectId": "10001", "projectKey": "DESK", "projectName": "Desk Escalations",
            "assignee": {"accountId": f"5b10ac8d82e05b22cc7d{number:04d}", "displayName": agent.row["name"],
                         "emailAddress": agent.row["emailId"]},
            "reporter": None, "url": f"https://acme.atlassian.net/browse/DESK-{number}",
            "createdTime": _time(linked - 3600), "updatedTime": _time(fam.at(linked, modified)),
            "linkedTime": _time(linked), "linkedBy": agent.id, "ticketId": ticket["id"],
        }


@_quiet_gc
def seed_ticket_tags(s: Seeder):
    """Tags on live tickets, from their department's tags; sets each tag's ``count``."""
    fam = _family(s)
    random = fam.random
    tag_rows = s.store.tables["tags"].rows
    by_department: dict[str, list[dict]] = {}
    for tag in tag_rows:
        by_department.setdefault(tag["departmentId"], []).append(tag)
    counts: dict[str, int] = {}
    for first, ticket in fam.parents(archived=False):
        tags = by_department.get(ticket["departmentId"]) or []
        n = min(len(tags), 1 + int(random() * 3)) if random() < P_TAGS or first else 0
        ticket["tagCount"] = str(n)
        if not n:
            continue
        start = int(random() * len(tags))  # n consecutive tags (cyclically): distinct, cheap
        for k in range(n):
            tag = tags[(start + k) % len(tags)]
            counts[tag["id"]] = counts.get(tag["id"], 0) + 1
            yield {"id": tag["id"], "name": tag["name"], "tagType": tag["tagType"],
                   "departmentId": tag["departmentId"], "ticketId": ticket["id"]}
    for tag in tag_rows:
        tag["count"] = str(counts.get(tag["id"], 0))


SEEDERS: list[tuple[str, Callable]] = [
    ("tags", seed_tags),
    ("archived_tickets", seed_archived_tickets),
    ("threads", seed_threads),
    ("thread_attachments", seed_thread_attachments),
    ("ticket_comments", seed_ticket_comments),
    ("ticket_attachments", seed_ticket_attachments),
    ("ticket_followers", seed_ticket_followers),
    ("ticket_time_entries", seed_ticket_time_entries),
    ("ticket_activities", seed_ticket_activities),
    ("ticket_approvals", seed_ticket_approvals),
    ("ticket_metrics", seed_ticket_metrics),
    ("jira_issues", seed_jira_issues),
    ("ticket_tags", seed_ticket_tags),
]
