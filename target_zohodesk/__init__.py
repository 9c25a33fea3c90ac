"""Singer target that writes records back to Zoho Desk."""
