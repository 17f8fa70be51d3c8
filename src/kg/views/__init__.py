"""What the pages and answers show, built once for every edge that shows them.

The web app (kg.server) and the static site (kg.site) render the same templates from the same
page models: entity pages (``entity``), answers (``answer``), home and query pages (``pages``),
the ontology's documentation (``ontology``), finding entities by name (``lookup``) and the
content security policy (``policy``). Neither edge imports the other; tests/test_layers.py
keeps it so.
"""
