"""Seed data: the ticket family.

Tags per department, archived tickets, and the ticket-only children: threads (and their
attachments), activities, approvals, metrics, Jira links and tag associations. Archived
tickets get threads too; their threads live in the same table as those of live tickets (the
API paths are the same). Tickets' comments, attachments, followers and time entries, live
and archived, are seeded with every other object's by seed_children.py, which sets the
tickets' commentCount, attachmentCount, followerCount and timeEntryCount.

Every child's times lie between its ticket's createdTime and modifiedTime, so a ticket's
modification covers the changes of its children. The tickets' counters seeded here
(threadCount, approvalCount, tagCount) equal the number of child rows seeded here; a
thread's attachmentCount equals its attachments and a tag's count its ticket associations.

These tables hold many rows (threads alone about three per ticket), so the code keeps the
work per row small: whole-second times come from ``clock``, random numbers from
``s.random()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from tests.emulator.data import zoho_time
from tests.emulator.seed_children import API, FILES, attachment
from tests.emulator.seed_core import Seeder, clock, seed_tickets

SUPPORT_ADDRESS = "support@acme.zohodesk.com"
WEB = "https://desk.zoho.com/support/acme/ShowHomePage.do#"
TAG_NAMES = ["billing", "urgent", "vip", "refund", "bug", "how-to", "outage", "feedback", "renewal",
             "hardware", "login", "shipping"]
ACTIVITY_KINDS = ["TASK", "CALL", "EVENT"]
ACTIVITY_STATUS = {"TASK": ["Not Started", "In Progress", "Completed", "Deferred"],
                   "CALL": ["Completed", "Scheduled"], "EVENT": ["Planned", "Held", "Not Held", "Completed"]}
APPROVAL_STATUS = ["Pending", "Approved", "Rejected"]
JIRA_STATUS = ["To Do", "In Progress", "In Review", "Done"]
JIRA_TYPES = ["Bug", "Task", "Story"]
LEVELS = ["High", "Medium", "Low"]

# share of tickets that get each kind of child (the first ticket of each table gets all)
P_TAGS = 0.3
P_ACTIVITIES = 0.15
P_APPROVALS = 0.05
P_JIRA = 0.02
P_THREAD_ATTACHMENT = 0.12  # share of threads


def _hours(seconds: float) -> str:
    minutes = int(seconds) // 60
    return f"{minutes // 60:02d}:{minutes % 60:02d} hrs"


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _tickets(s: Seeder, *, archived: bool = True) -> Iterator[tuple[bool, dict]]:
    """(first of its table, ticket) for live tickets, then archived ones."""
    tables = s.store.tables
    groups = [tables["tickets"].rows]
    if archived and "archived_tickets" in tables:
        groups.append(tables["archived_tickets"].rows)
    for rows in groups:
        for k, row in enumerate(rows):
            yield k == 0, row


# -- tags and archived tickets ----------------------------------------------------------
def seed_tags(s: Seeder):
    for dep in s.store.tables["departments"].rows:
        for k, name in enumerate(TAG_NAMES):
            yield {
                "id": s.ident(), "name": name, "tagType": "AUTO" if k % 5 == 4 else "MANUAL",
                "count": "0", "departmentId": dep["id"], "createdTime": zoho_time(s.created()),
                "createdBy": s.person().id,
            }


class _Scaled:
    """The Seeder seen with another ticket count: ids, times and randomness stay shared."""

    def __init__(self, s: Seeder, tickets: int):
        self.store, self.rng, self.n_tickets = s.store, s.rng, tickets
        self.ident, self.created, self.modified = s.ident, s.created, s.modified


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
def seed_threads(s: Seeder):
    random, ident = s.random, s.ident
    contacts, agents = s.store.tables["contacts"].by_id, s.people()
    for first, ticket in _tickets(s):
        tid, subject, email = ticket["id"], ticket["subject"], ticket["email"]
        created, modified = s.lifetime(ticket)
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
                "createdTime": clock(when), "direction": "out" if j % 2 else "in", "to": to,
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


def seed_thread_attachments(s: Seeder):
    """The attachments of threads with ``hasAttach``; fills the threads' ``attachments``."""
    for thread in s.store.tables["threads"].rows:
        if not thread["hasAttach"]:
            continue
        author = thread["author"]
        if author["type"] == "AGENT":
            creator = s.person_of(author["id"]).creator
        else:
            creator = {k: author[k] for k in ("id", "name", "firstName", "lastName", "email", "photoURL")}
            creator.update(type=author["type"], roleName="PortalUser", zuid=None)
        base = f"{API}/tickets/{thread['ticketId']}/threads/{thread['id']}/attachments/"
        links = {"ticketId": thread["ticketId"], "threadId": thread["id"]}
        for j in range(int(thread["attachmentCount"])):
            name, size = s.choose(FILES)
            att_id = s.ident()
            href = f"{base}{att_id}/content"
            thread["attachments"].append({"id": att_id, "name": name, "size": str(size + j), "href": href})
            yield attachment(att_id, name, str(size + j), href, public=thread["visibility"] == "public",
                             created=thread["createdTime"], creator=creator.copy(), links=links)


# -- objects of live tickets only ------------------------------------------------------
def seed_ticket_activities(s: Seeder):
    """Tasks, calls and events linked to tickets, as ``GET /tickets/{id}/activities`` lists them."""
    random = s.random
    for first, ticket in _tickets(s, archived=False):
        if not (random() < P_ACTIVITIES or first):
            continue
        created, modified = s.lifetime(ticket)
        number = ticket["ticketNumber"]
        for j in range(1 + (random() < 0.5)):
            kind = ACTIVITY_KINDS[(int(number) + j) % 3]
            agent = s.person()
            made = s.within(created, modified)
            changed = s.within(made, modified)
            status = s.choose(ACTIVITY_STATUS[kind])
            done = status in ("Completed", "Held")
            act_id = s.ident()
            task = kind == "TASK"
            yield {
                "id": act_id, "activityType": kind, "subject": f"{kind.title()} about ticket #{number}",
                "description": None, "status": status, "priority": s.choose(LEVELS),
                "category": "Follow-up" if task else None, "ownerId": agent.id, "owner": agent.person.copy(),
                "departmentId": ticket["departmentId"], "contactId": ticket["contactId"],
                "dueDate": clock(made + 2 * 86400) if task else None,
                "startTime": None if task else clock(made + 3600),
                "duration": None if task else str(300 * (1 + int(random() * 6))),
                "direction": ("inbound" if j % 2 else "outbound") if kind == "CALL" else None,
                "completedTime": clock(changed) if done else None, "isCompleted": done,
                "createdTime": clock(made), "modifiedTime": clock(changed),
                "createdBy": agent.id, "modifiedBy": agent.id,
                "webUrl": f"{WEB}{kind.title()}s/dv/{act_id}", "cf": {"cf_outcome": None},
                "ticketId": ticket["id"],
            }


def seed_ticket_approvals(s: Seeder):
    random = s.random
    for first, ticket in _tickets(s, archived=False):
        n = (1 + (random() < 0.5)) if random() < P_APPROVALS or first else 0
        ticket["approvalCount"] = str(n)
        if not n:
            continue
        created, modified = s.lifetime(ticket)
        for j in range(n):
            requester, approver = s.person(), s.person()
            status = APPROVAL_STATUS[(j + int(random() * 3)) % 3]
            asked = s.within(created, modified)
            pending = status == "Pending"
            yield {
                "id": s.ident(), "subject": f"Approve refund for ticket #{ticket['ticketNumber']}",
                "description": "Customer asks for a goodwill refund.", "status": status,
                "requesterId": requester.id, "requester": requester.person.copy(),
                "approverIds": [approver.id], "approver": None if pending else approver.person.copy(),
                "createdTime": clock(asked),
                "processedTime": None if pending else clock(s.within(asked, modified)),
                "ticketId": ticket["id"],
            }


def seed_ticket_metrics(s: Seeder):
    """One row per live ticket (``GET /tickets/{id}/metrics`` answers a single object)."""
    random = s.random
    for _, ticket in _tickets(s, archived=False):
        created, modified = s.lifetime(ticket)
        life = modified - created
        threads = ticket["threadCount"]
        replies = int(threads) // 2  # threads alternate in/out, starting with the customer's
        agent = s.person()
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


def seed_jira_issues(s: Seeder):
    """A linked Jira issue as ``GET tickets/{id}/jiraIssue?isReact=true`` answers it (DeskUI
    jiraLeftPanel: the whole answer is kept when it has ``issueInfo``; ``issueInfo`` carries
    issueKey, issueInfoUrl, issueTitle, issueType, assignee/reporter/priority objects read by
    ``name``, issueStatus, issueStatusCategory; ``transitionInfo`` lists the transitions, each
    with transitionId, issueStatus and issueStatusCategory)."""
    random = s.random
    number = 100
    for first, ticket in _tickets(s, archived=False):
        if not (random() < P_JIRA or first):
            continue
        number += 1
        agent = s.person()
        status = s.choose(JIRA_STATUS)
        category = "done" if status == "Done" else "new" if status == "To Do" else "indeterminate"
        yield {
            "ticketId": ticket["id"],
            "issueInfo": {
                "issueKey": f"DESK-{number}", "issueInfoUrl": f"https://acme.atlassian.net/browse/DESK-{number}",
                "issueTitle": f"Investigate: {ticket['subject']}", "issueType": s.choose(JIRA_TYPES),
                "assignee": {"name": agent.row["name"]} if random() < 0.8 else None,
                "reporter": {"name": agent.row["name"]}, "priority": {"name": s.choose(LEVELS)},
                "issueStatus": status, "issueStatusCategory": category,
            },
            "transitionInfo": [{"transitionId": "31", "issueStatus": "Done", "issueStatusCategory": "done"},
                               {"transitionId": "11", "issueStatus": "To Do", "issueStatusCategory": "new"}],
        }


def seed_ticket_tags(s: Seeder):
    """Tags on live tickets, from their department's tags; sets each tag's ``count``."""
    random = s.random
    tag_rows = s.store.tables["tags"].rows
    by_department: dict[str, list[dict]] = {}
    for tag in tag_rows:
        by_department.setdefault(tag["departmentId"], []).append(tag)
    counts: dict[str, int] = {}
    for first, ticket in _tickets(s, archived=False):
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
    ("ticket_activities", seed_ticket_activities),
    ("ticket_approvals", seed_ticket_approvals),
    ("ticket_metrics", seed_ticket_metrics),
    ("jira_issues", seed_jira_issues),
    ("ticket_tags", seed_ticket_tags),
]
