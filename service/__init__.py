"""Wiring: settings, the eventsourcing application, stores, projection runners, HTTP, CLI."""
