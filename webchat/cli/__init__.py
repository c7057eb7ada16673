"""The ``policybot`` command line: ingest documents, list them, show a provision.

Every command and sub-app is registered on the root app here, in the order ``policybot --help`` lists
them (commands first, then the sub-apps).
"""

from __future__ import annotations

import sys

from webchat.cli.accounts import user_app
from webchat.cli.benchmark import bench
from webchat.cli.documents import docs, ingest, show
from webchat.cli.index import index_app, model_app
from webchat.cli.operations import bot_app, deploy_app, privacy_app, serve
from webchat.cli.querying import check, eval_command, search
from webchat.cli.root import app, ingest_sources

__all__ = ["app", "ingest_sources", "main"]

app.command()(ingest)
app.command()(docs)
app.command()(show)
app.command()(bench)
app.command()(check)
app.command()(search)
app.command("eval")(eval_command)
app.command()(serve)
app.add_typer(index_app, name="index")
app.add_typer(user_app, name="user")
app.add_typer(bot_app, name="bot")
app.add_typer(model_app, name="model")
app.add_typer(deploy_app, name="deploy")
app.add_typer(privacy_app, name="privacy")


def main() -> None:
    """Entry point of the ``policybot`` console script."""
    try:
        app()
    except BrokenPipeError:  # `policybot docs --json | head`
        sys.stderr.close()
