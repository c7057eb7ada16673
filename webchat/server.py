"""Run the web app under gunicorn (``policybot serve``), configured from the one settings object."""

from __future__ import annotations

import contextlib
import runpy
from typing import Any

from gunicorn.app.base import BaseApplication

from knowledge.settings import Settings


class WebServer(BaseApplication):  # type: ignore[misc]
    """A gunicorn application whose workers each build the app with ``create_app(settings)``."""

    def __init__(self, settings: Settings, host: str, port: int) -> None:
        """Check the settings and remember where to listen.

        Args:
            settings: the settings built at the entry point.
            host: the address to bind.
            port: the port to bind.

        Raises:
            ValueError: ``web.gunicorn_config`` names a file that does not exist.
        """
        if settings.web.gunicorn_config is not None and not settings.web.gunicorn_config.is_file():
            raise ValueError(f"找不到 gunicorn 配置文件 {settings.web.gunicorn_config}")
        self.settings = settings
        self.bind = f"{host}:{port}"
        super().__init__()

    def load_config(self) -> None:
        """Apply the settings, then the optional gunicorn config file (which may tune anything else)."""
        web = self.settings.web
        values: dict[str, Any] = {
            "bind": [self.bind],
            "workers": web.workers,
            "threads": web.threads,
            "worker_class": "gthread",
            "timeout": 60,
            "graceful_timeout": 20,
            "accesslog": None,
            "errorlog": "-",
            "proc_name": "policybot-web",
            # gunicorn's control socket is one per user by default: replicas on one host would collide.
            "control_socket_disable": True,
        }
        for key, value in values.items():
            self.cfg.set(key, value)
        if web.gunicorn_config is not None:
            for key, value in runpy.run_path(str(web.gunicorn_config)).items():
                if key in self.cfg.settings and key != "bind":
                    self.cfg.set(key, value)

    def load(self) -> Any:
        """Build the app in the worker (after the fork: each worker has its own index and pools).

        The index (and the masking's word lists) are loaded before the worker takes requests, so no
        citizen waits for them.
        """
        from retrieval.search import NoIndexError
        from webchat.app import create_app, retrieval_of
        from webchat.piiwords import warm_up

        app = create_app(self.settings)
        warm_up()  # the name check's dictionary and gazetteer: the first citizen does not wait for them
        # Without an index `policybot serve` has already warned; searches say so until one is published.
        with contextlib.suppress(NoIndexError):
            retrieval_of(app).searcher.current()
        return app
