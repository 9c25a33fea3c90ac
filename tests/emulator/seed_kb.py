"""Seed data: the help center and the knowledge base.

Help centers, their user groups, labels and users (customers with a portal login), the
knowledge-base root categories, articles (with their translations and inline attachments) and
article feedbacks. Runs after seed_org.py; the articles' comments are seeded by
seed_children.py, which also sets their ``commentCount``.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.emulator.data import zoho_time
from tests.emulator.seed_children import API, FILES
from tests.emulator.seed_core import DAY, Seeder

WEB = "https://desk.zoho.com/support/acme/ShowHomePage.do"
PORTAL = "https://support.acme.example/portal/en/kb"
ARTICLE_STATUSES = ["Published", "Published", "Published", "Draft", "Review", "Expired", "Unpublished"]
TOPICS = ["reset a password", "update billing details", "pair a printer", "export reports",
          "configure SSO", "cancel a subscription", "restore deleted data", "set up alerts"]


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
        agent = s.agent()
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
        member_of = rng.sample(groups, s.between(0, 3)) if center is centers[0] else []
        tagged = rng.sample(labels, s.between(0, 2)) if center is centers[0] else []
        for row in member_of + tagged:
            counts[row["id"]] = counts.get(row["id"], 0) + 1
        created = s.later(contact["createdTime"], 60)
        rows.append({
            "id": s.ident(), "name": f"{contact['firstName']} {contact['lastName']}",
            "firstName": contact["firstName"], "lastName": contact["lastName"], "email": contact["email"],
            "status": s.choose(["ACTIVE", "ACTIVE", "ACTIVE", "DISABLED", "UNCONFIRMED"]), "type": "END_USER",
            "contactId": contact["id"], "helpCenterId": center["id"], "photoURL": None,
            "groupIds": [g["id"] for g in member_of], "labelIds": [label["id"] for label in tagged],
            "lastLoginTime": zoho_time(created + s.below(30) * DAY) if rng.random() < 0.7 else None,
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
            agent = s.agent()
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
        category = s.choose(categories)
        author = s.agent()
        created = s.later(category["createdTime"], 60)
        status = s.choose(ARTICLE_STATUSES)
        version = f"{s.between(1, 5)}.0"
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
            att_id, (name, size) = s.ident(), s.choose(FILES)
            attachments.append({"id": att_id, "name": name, "size": str(size),
                                "href": f"{API}/articles/{article_id}/attachments/{att_id}/content"})
        category["articleCount"] = str(int(category["articleCount"]) + 1)
        if status == "Published":
            category["publishedArticleCount"] = str(int(category["publishedArticleCount"]) + 1)
        yield {
            "id": article_id, "title": f"How to {TOPICS[k % len(TOPICS)]} ({k})",
            "summary": f"Step-by-step guide to {TOPICS[k % len(TOPICS)]}.", "permalink": permalink,
            "status": status, "permission": s.choose(["ALL", "REGISTEREDUSERS", "AGENTS"]),
            "categoryId": category["id"], "rootCategoryId": category["id"],
            "departmentId": category["departmentId"], "locale": "en", "sourceLocale": "en",
            "authorId": author["id"],
            "author": {"id": author["id"], "name": author["name"], "photoURL": author["photoURL"],
                       "status": author["status"], "zuid": author["zuid"]},
            "creatorId": author["id"], "modifierId": author["id"], "ownerId": author["id"],
            "latestVersion": version, "latestVersionStatus": status, "latestVersionTranslationId": translation_id,
            "latestPublishedVersion": version if status == "Published" else None, "translationId": translation_id,
            "commentCount": "0", "viewCount": str(s.below(5000)), "likeCount": str(s.below(200)),
            "dislikeCount": str(s.below(20)), "feedbackCount": "0", "attachmentCount": str(len(attachments)),
            "tags": sorted(rng.sample(["billing", "hardware", "howto", "security", "setup"], s.between(0, 3))),
            "webUrl": f"{WEB}#Solutions/dv/{article_id}", "portalUrl": f"{PORTAL}/articles/{permalink}",
            "isTrashed": False, "availableLocaleTranslations": translations, "attachments": attachments,
            "createdTime": zoho_time(created), "modifiedTime": zoho_time(s.modified(created)),
        }


def seed_article_feedbacks(s: Seeder):
    rng = s.rng
    contacts = s.store.tables["contacts"].rows
    for article in s.some(s.store.tables["articles"].rows, 0.4):
        count = s.between(1, 4)
        article["feedbackCount"] = str(count)
        for _ in range(count):
            contact = s.choose(contacts) if rng.random() < 0.7 else None
            yield {
                "id": s.ident(), "articleId": article["id"], "articleTitle": article["title"],
                "translationId": article["latestVersionTranslationId"], "locale": "en",
                "feedback": s.choose(["The steps did not match my screen.", "Please add screenshots.",
                                      "Outdated for the new version."]),
                "name": f"{contact['firstName']} {contact['lastName']}" if contact else None,
                "email": contact["email"] if contact else None, "contactId": contact["id"] if contact else None,
                "departmentId": article["departmentId"], "ticketId": None,
                "createdTime": zoho_time(s.later(article["createdTime"])),
            }


SEEDERS: list[tuple[str, Callable]] = [
    ("help_centers", seed_help_centers),
    ("help_center_groups", seed_help_center_groups),
    ("help_center_labels", seed_help_center_labels),
    ("help_center_users", seed_help_center_users),
    ("kb_categories", seed_kb_categories),
    ("articles", seed_articles),
    ("article_feedbacks", seed_article_feedbacks),
]
