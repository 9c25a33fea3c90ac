"""The shared core of tap-zohodesk and target-zohodesk: the object catalog (one typed row per
Zoho Desk object, with its write facts), the connection (data centers, config checks, OAuth),
the HTTP client and list paging. Nothing here imports from the tap or the target."""
