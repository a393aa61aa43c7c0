"""Versioned policies as data: escalation, scoring, attendance, detection thresholds.

Each policy family has a module with a strict loader and TOML files named
``<family>-<version>.toml`` beside it. Results computed under a policy record its version.
"""
