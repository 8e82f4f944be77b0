"""Reading and writing the lifecycle's state: plain functions over a Session, bulk and idempotent."""
