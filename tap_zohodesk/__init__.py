"""Singer tap for Zoho Desk (and the client the target shares)."""
