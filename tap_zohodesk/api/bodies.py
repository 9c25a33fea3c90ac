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
TICKET = Body(_TICKET | {"contactId", "departmentId", "contactEmail"},
              _TICKET | {"contactId", "resolution", "sharedDepartments"}, "OAS")
# OAS contact CommonJson + WithContactPatchRequestBody (the create body is taken to be the same).
CONTACT = Body(_set("accountId", "email", "firstName", "lastName", "mobile", "ownerId", "phone", "secondaryEmail",
                    "type", "cf", "city", "country", "description", "facebook", "state", "street", "title", "twitter",
                    "zip"), source="OAS")
# OAS account CommonObject has accountName, email, phone, website; the rest from the schema.
ACCOUNT = Body(_set("accountName", "email", "phone", "website", "annualRevenue", "cf", "city", "code", "country",
                    "description", "fax", "industry", "layoutId", "ownerId", "state", "street", "zip"))
# OAS task CommonJson has contactId, departmentId, dueDate, ownerId, priority, status, subject, ticketId.
TASK = Body(_set("contactId", "departmentId", "dueDate", "ownerId", "priority", "status", "subject", "ticketId",
                 "category", "cf", "description", "layoutId", "reminder"))
CALL = Body(_set("cf", "contactId", "departmentId", "description", "direction", "duration", "layoutId", "ownerId",
                 "priority", "reminder", "startTime", "status", "subject", "ticketId"))
EVENT = Body(_set("category", "cf", "contactId", "departmentId", "description", "duration", "layoutId", "location",
                  "ownerId", "priority", "reminder", "startTime", "status", "subject", "ticketId"))
CONTRACT = Body(_set("accountId", "associatedSLAId", "cf", "contractName", "contractStatus", "departmentId",
                     "description", "endDate", "layoutId", "notificationAgentIds", "notifyBefore", "notifyOn",
                     "ownerId", "productId", "startDate"))
PRODUCT = Body(_set("cf", "departmentIds", "description", "layoutId", "ownerId", "productCategory", "productCode",
                    "productName", "unitPrice"))
COMMENT = Body(_set("content", "contentType", "isPublic", "attachments"))
TIME_ENTRY = Body(_set("additionalCost", "agentCostPerHour", "billingType", "cf", "description", "executedTime",
                       "hoursSpent", "invoiceId", "isBillable", "minutesSpent", "ownerId", "requestChargeType",
                       "secondsSpent"))
APPROVAL = Body(_set("approverIds", "description", "subject"))
ORGANIZATION = Body(_set("city", "companyName", "country", "currencyCode", "currencyLocale", "currencySymbol",
                         "description", "employeeCount", "fax", "isDefault", "logoURL", "mobile", "phoneNumber",
                         "primaryContact", "state", "street", "website", "zip"))
DEPARTMENT = Body(_set("associatedAgentIds", "description", "isAssignToTeamEnabled", "isEnabled",
                       "isVisibleInCustomerPortal", "name", "nameInCustomerPortal"))
AGENT = Body(_set("aboutInfo", "associatedChatDepartmentIds", "associatedDepartmentIds", "channelExpert",
                  "countryCode", "emailId", "extn", "firstName", "langCode", "lastName", "mobile", "phone",
                  "profileId", "roleId", "rolePermissionType", "timeZone"))
TEAM = Body(_set("agents", "departmentId", "derivedAgents", "description", "name", "roles", "rolesWithSubordinates",
                 "subTeams"))
# OAS RolesPostRequestBody takes reportsTo (the parent role), which no read returns.
ROLE = Body(_set("description", "immediateParentRoleId", "isDefault", "isVisible", "name", "shareDataWithPeers",
                 "reportsTo"))
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
