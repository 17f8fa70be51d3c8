"""The web app (HTTP edge): SPARQL 1.1 endpoint, entity pages, query page, JSON API."""

from kg.server.app import create_app

__all__ = ["create_app"]
