"""The SPARQL endpoint: ``create_app(store, settings)`` builds the FastAPI application."""

from odlm_kg.server.app import ServerSettings, create_app

__all__ = ["ServerSettings", "create_app"]
