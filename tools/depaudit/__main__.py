"""Entry point: ``python -m tools.depaudit``."""

from __future__ import annotations

import sys

from tools.depaudit.cli import run

if __name__ == "__main__":
    sys.exit(run())
