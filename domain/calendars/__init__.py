"""Working-day calendars as data: one ``cn-<year>.toml`` per year (read by ``domain.calendar``)."""
