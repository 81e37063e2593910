"""Presentation: the texts (Fluent catalogues), the rendering of screens, the analytics reports, the chart,
the export writers and the viewer (who is looking, in which language and zone). Pure functions of data: no
database access and no Bot API requests."""
