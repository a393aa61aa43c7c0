"""The HTTP service (FastAPI): commands, the appeal view, the event feed, health and metrics."""

from service.api.app import create_app

__all__ = ["create_app"]
