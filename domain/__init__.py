"""The pure model of the hall: aggregates, their events, the rule catalogue and policies.

Nothing here does I/O or reads the clock; time always comes in as an argument
(see ``domain.envelope.CommandContext``).
"""
