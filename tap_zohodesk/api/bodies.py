"""What a write's body may carry, per object and operation: the allow-lists of the catalog rows.

Zoho Desk validates a request body against the endpoint's own field list and answers any other
field with 422 INVALID_DATA naming it (a contact sent back as read: ``/isAnonymous``,
``/isEndUser``, ``/zohoCRMContact``). Each list below says where it comes from:

- ``OAS``: the request body of the endpoint in Zoho's OpenAPI files (read in the Kiota clients
  generated from them), kept to the fields the stream's schema has (its write-only inputs aside);
- ``schema``: no request body was read for the endpoint: the stream's fields less those Zoho
  computes (ids, times, counters, display objects) and, by analogy with contacts, the CRM link.

A public org-to-org migration script agrees with the OAS lists: it strips ``isEndUser,
isAnonymous, accountCount, webUrl, isSpam, createdTime, modifiedTime`` from a contact and
``layoutDetails, sentiment, onholdTime, isOverDue, isResponseOverdue, isSpam, isArchived,
modifiedBy, followerCount, slaId, createdBy, responseDueDate, tagCount, isEscalated`` from a
ticket before creating them; none of those is in a list here.
"""

from __future__ import annotations

from tap_zohodesk.api.rows import Body


def _set(*names: str) -> frozenset[str]:
    return frozenset(names)


# OAS ticket CommonKeys + CommonRequestJson, shared by TicketsPostRequestBody and WithTicketPatchRequestBody.
_TICKET = _set("assigneeId", "channel", "dueDate", "email", "language", "phone", "priority", "productId", "subject",
               "category", "cf", "classification", "description", "status", "subCategory")
# The migration script creates a ticket from one read elsewhere, stripping only the fields named in
# the module docstring: the team, account and layout it keeps went through Zoho's validation (and n8n
# sends secondaryContacts on a create), so they are taken too, where the OAS lists are silent.
_TICKET_KEPT = _set("teamId", "accountId", "layoutId")
TICKET = Body(_TICKET | _TICKET_KEPT | {"contactId", "departmentId", "contactEmail", "secondaryContacts"},
              _TICKET | _TICKET_KEPT | {"contactId", "resolution", "sharedDepartments"}, "OAS, migration")
# OAS contact CommonJson + WithContactPatchRequestBody (the create body is taken to be the same).
CONTACT = Body(_set("accountId", "email", "firstName", "lastName", "mobile", "ownerId", "phone", "secondaryEmail",
                    "type", "cf", "city", "country", "description", "facebook", "state", "street", "title", "twitter",
                    "zip"), source="OAS")
# OAS WithAccountPatchRequestBody: CommonObject + the rest (its ``annualrevenue`` is spelled so; the
# schema's ``annualRevenue`` is not taken); the create body is taken to be the same.
ACCOUNT = Body(_set("accountName", "email", "phone", "website", "cf", "city", "code", "country", "description", "fax",
                    "industry", "ownerId", "state", "street"), source="OAS")
# OAS TasksPostRequestBody = WithTaskPatchRequestBody: CommonJson + cf (and alertType, no schema field).
TASK = Body(_set("contactId", "departmentId", "dueDate", "ownerId", "priority", "status", "subject", "ticketId", "cf"),
            source="OAS")
# OAS CallsPostRequestBody (the update taken to be the same): CommonJson + cf, direction, duration, reminder.
CALL = Body(_set("contactId", "departmentId", "ownerId", "priority", "startTime", "status", "subject", "ticketId", "cf",
                 "direction", "duration", "reminder"), source="OAS")
# OAS EventsPostRequestBody (the update taken to be the same): CommonJson + cf, duration, reminder.
EVENT = Body(_set("category", "contactId", "departmentId", "ownerId", "priority", "startTime", "status", "subject",
                  "ticketId", "cf", "duration", "reminder"), source="OAS")
# OAS ContractsPostRequestBody (the update taken to be the same); contractNumber is an input there.
CONTRACT = Body(_set("accountId", "associatedSLAId", "cf", "contractName", "contractNumber", "departmentId",
                     "description", "endDate", "notificationAgentIds", "notifyBefore", "ownerId", "productId",
                     "startDate"), source="OAS")
# OAS ProductsPostRequestBody: CurdCommonJson (productCode, productName, unitPrice, departmentIds) + the rest.
PRODUCT = Body(_set("productCode", "productName", "unitPrice", "departmentIds", "cf", "description", "ownerId",
                    "productCategory"), source="OAS")
# OAS ticketComment CommentsPostRequestBody (attachmentIds aside: no schema field); other owners' comments
# and the updates are taken to be the same.
COMMENT = Body(_set("content", "contentType", "isPublic"), source="OAS")
TIME_ENTRY = Body(_set("additionalCost", "agentCostPerHour", "billingType", "cf", "description", "executedTime",
                       "hoursSpent", "invoiceId", "isBillable", "minutesSpent", "ownerId", "requestChargeType",
                       "secondsSpent"))
APPROVAL = Body(_set("approverIds", "description", "subject"))
ORGANIZATION = Body(_set("city", "companyName", "country", "currencyCode", "currencyLocale", "currencySymbol",
                         "description", "employeeCount", "fax", "isDefault", "logoURL", "mobile", "phoneNumber",
                         "primaryContact", "state", "street", "website", "zip"))
# OAS DepartmentsPostRequestBody: UpdateDepartmentJson (isAssignToTeamEnabled, nameInCustomerPortal) + the rest;
# isEnabled moves by the enable/disable actions. The update is taken to be the same.
DEPARTMENT = Body(_set("associatedAgentIds", "description", "isAssignToTeamEnabled", "isVisibleInCustomerPortal",
                       "name", "nameInCustomerPortal"), source="OAS")
# OAS AgentInputStream (AddAgentInputStream + channelExpert; cf where the org has agent custom fields).
AGENT = Body(_set("aboutInfo", "associatedChatDepartmentIds", "associatedDepartmentIds", "channelExpert",
                  "countryCode", "emailId", "extn", "firstName", "langCode", "lastName", "mobile", "phone",
                  "profileId", "roleId", "rolePermissionType", "status"), source="OAS")
# OAS TeamJson: TeamRequestJson + rolesWithSubordinates (derivedAgents is in TeamResponse only).
TEAM = Body(_set("agents", "departmentId", "description", "name", "roles", "rolesWithSubordinates", "subTeams"),
            source="OAS")
# OAS RolesPostRequestBody: RoleupdateJson (name, description, shareDataWithPeers) + reportsTo, the parent
# role, which the schema does not have; the update is RoleupdateJson.
ROLE = Body(_set("name", "description", "shareDataWithPeers", "reportsTo"),
            _set("name", "description", "shareDataWithPeers"), "OAS")
PROFILE = Body(_set("default", "description", "isVisible", "name", "type"))
BUSINESS_HOURS = Body(_set("associatedHolidayList", "businessTimes", "name", "status", "timeZone", "type"))
KB_CATEGORY = Body(_set("departmentId", "description", "helpCenterId", "locale", "name", "order", "status",
                        "visibility"))
# articles: ``answer`` (the body of the article) is taken by POST /articles and returned by no list.
ARTICLE = Body(_set("attachments", "authorId", "categoryId", "departmentId", "locale", "ownerId", "permission",
                    "sourceLocale", "status", "summary", "title", "answer"))
HC_USER = Body(_set("contactId", "email", "firstName", "groupIds", "helpCenterId", "labelIds", "lastName", "status"))
HC_GROUP = Body(_set("description", "helpCenterId", "name"))
HC_LABEL = Body(_set("color", "description", "helpCenterId", "name"))
# uploads (multipart ``file``): the only JSON-side inputs are the file and its visibility.
UPLOAD = Body(_set("filePath", "contentBase64", "name", "isPublic"), _set("isPublic"))
# an email reply (POST tickets/{ticketId}/sendReply: OAS, n8n, Pipedream); the ticket goes in the URL, channel is EMAIL.
REPLY = Body(_set("fromEmailAddress", "to", "content", "contentType", "isForward", "cc", "bcc"), source="OAS")
