"""Maintainer tools that are not part of the installed app (run with ``python -m tools.NAME``)."""
