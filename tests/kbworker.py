"""One web worker process over a throw-away knowledge base (for tests of several processes sharing one
var and index folder): ``python -m tests.kbworker <tmp> <port>`` serves ``create_app`` on loopback."""

from __future__ import annotations

import sys
from pathlib import Path

from werkzeug.serving import make_server

from tests.staffkit import settings_at
from webchat.app import create_app


def main(tmp: str, port: str) -> None:
    """Serve the app of the knowledge base at ``tmp`` on ``127.0.0.1:port`` until killed."""
    settings = settings_at(Path(tmp), staff={"login_limit": "1000 per minute"})
    app = create_app(settings, {"TESTING": True, "WTF_CSRF_ENABLED": False})
    make_server("127.0.0.1", int(port), app, threaded=True).serve_forever()


if __name__ == "__main__":
    main(*sys.argv[1:3])
