"""Dependency audit: the lock files' exact pins checked against OSV advisories (online or an offline snapshot).

Run ``python -m tools.depaudit --help``. Modules: ``locks`` (pins), ``matching`` (is a version affected by an
OSV record), ``sources`` (OSV online and the offline snapshot), ``triage`` (the decisions file), ``cli``.
"""
