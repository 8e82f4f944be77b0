"""Synthetic, seeded operator files (rosters, coaches, personnel) for a city government."""
