"""The administrator's pages: accounts and roles, the follow-up protocol, the audit trail, backups and
restores, and where the database is."""
