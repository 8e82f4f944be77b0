"""What operators read: quarantine tables, rejected-row files, summaries (translated, NIPs masked)."""
