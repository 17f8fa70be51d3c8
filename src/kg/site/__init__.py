"""The static explorer (``kg site``): the web app's views as a folder of plain files.

Pages come from the app's own templates and renderers (kg.views, kg.render); SPARQL runs in
the browser on Oxigraph compiled to WebAssembly (kg.site.engine fetches it from npm once).
Modules: ``writer`` (the whole site), ``pages`` (rendering), ``links`` (where links point),
``dumps`` (data files, VoID), ``search_index``, ``folder`` (safe replacement of --out),
``engine`` (npm), ``serve`` (loopback server).
"""

from kg.site.serve import make_server
from kg.site.writer import SiteReport, write_site

__all__ = ["SiteReport", "make_server", "write_site"]
