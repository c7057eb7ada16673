"""Run the action server on loopback only (``rasa run actions`` always binds 0.0.0.0).

Usage: ``../.venv-rasa/bin/python serve_actions.py [PORT]`` from bot/ (default 5055).
"""

from __future__ import annotations

import sys

from rasa_sdk.endpoint import create_app


def main() -> None:
    """Serve the ``actions`` package at http://127.0.0.1:PORT/webhook."""
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 5055
    app = create_app("actions")
    app.run(host="127.0.0.1", port=port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
