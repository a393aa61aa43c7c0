"""Read models: each a follower of the log, rebuilt from events by a pure fold."""
