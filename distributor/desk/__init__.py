"""The managers' desk: server-rendered pages under ``/manage`` (docs/architecture.md, "Desk").

Sessions and CSRF (``sessions``, ``guard``), the pages (one module each), what they read
(``queries``, ``sandbox_feed``), how posts and charts are drawn (``post_view``, ``charts``),
the managers' actions (through ``Container.managers``) and the readers' counts.
"""
