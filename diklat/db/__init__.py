"""Persistence: engine, unit of work, bulk upserts. The table definitions live in schemas.tables."""
