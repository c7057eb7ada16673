"""``python -m webchat.cli``, the same as ``policybot``."""

from __future__ import annotations

from webchat.cli import main

if __name__ == "__main__":
    main()
