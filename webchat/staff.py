"""Staff side of the web app: logins (Flask-Login, argon2), CSRF (Flask-WTF), roles, error pages.

``init_staff`` wires the login page, the hotline console (``/console``, agents and maintainers) and
the maintainer admin (``/admin``). Only these pages use the Flask session cookie and CSRF tokens;
the citizen JSON API is left as it is.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import Forbidden

from knowledge.settings import Settings
from webchat.chat import gateway_of
from webchat.users import MAX_NAME_CHARS, Account, StaffStore, normalise_name

STAFF = "policybot.staff"
CSRF = "policybot.csrf"
LOGIN_FAILED = "用户名或密码错误。"
TOO_MANY_LOGINS = "登录尝试过于频繁，请稍后再试。"
FORBIDDEN = "您没有权限访问此页面。"
LOGIN_AT = "policybot_login_at"

auth_bp = Blueprint("staff_auth", __name__)


def staff_store_of(app: Flask) -> StaffStore:
    """Return the staff store (accounts, audit log) of an app made by ``create_app``."""
    store: StaffStore = app.extensions[STAFF]
    return store


def current_account() -> Account:
    """Return the logged-in account (only inside views behind ``guard``)."""
    account: Account = current_user._get_current_object()
    return account


def audit(action: str, detail: str = "") -> None:
    """Log an action of the logged-in staff member."""
    actor = current_account().name if current_user.is_authenticated else "匿名"
    staff_store_of(current_app).audit(actor, action, detail)


def init_staff(app: Flask, settings: Settings) -> None:
    """Wire accounts, CSRF, cookie flags, the login rate limit and the console/admin blueprints.

    Args:
        app: the app, after the chat gateway is wired (its secret key and limiter are reused).
        settings: ``database``, ``web.cookie_secure``, ``web.ratelimit_storage`` and ``staff``.
    """
    from webchat.admin import bp as admin_bp
    from webchat.admin import init_admin
    from webchat.console import bp as console_bp
    from webchat.limits import LIMITER
    from webchat.sessions import load_secret

    if not app.config.get("SECRET_KEY"):
        secret_key = settings.web.secret_key.get_secret_value() if settings.web.secret_key else None
        app.config["SECRET_KEY"] = load_secret(secret_key, settings.paths.var)
    app.config.update(
        SESSION_COOKIE_NAME="policybot_staff",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.web.cookie_secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.web.cookie_secure,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.staff.session_hours),
        WTF_CSRF_CHECK_DEFAULT=False,  # checked by the staff blueprints only; the JSON API has its own origin check
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the login session
    )
    app.config.setdefault("WTF_CSRF_ENABLED", True)
    app.extensions[STAFF] = StaffStore(gateway_of(app).store.engine)  # one connection pool per app
    app.extensions[CSRF] = CSRFProtect(app)

    manager = LoginManager(app)
    manager.login_view = "staff_auth.login"
    manager.session_protection = "basic"

    max_age_s = settings.staff.session_hours * 3600

    def _load(session_id: str) -> Account | None:
        # A login lasts one shift from the moment of logging in, however busy the session (no sliding).
        logged_in_at = session.get(LOGIN_AT)
        if not isinstance(logged_in_at, int | float) or not 0 <= time.time() - logged_in_at <= max_age_s:
            return None
        return staff_store_of(app).load_session(session_id)

    manager.user_loader(_load)

    app.register_blueprint(auth_bp)
    app.register_blueprint(console_bp)
    app.register_blueprint(admin_bp)
    init_admin(app, settings)

    limiter: Limiter | None = app.extensions.get(LIMITER)
    if limiter is None:
        limiter = Limiter(get_remote_address, app=app, storage_uri=settings.web.ratelimit_storage)
        app.extensions[LIMITER] = limiter
    # Both limits are checked before the view runs: a refused attempt costs no password hash.
    view: Any = app.view_functions["staff_auth.login"]
    view = limiter.limit(settings.staff.login_limit, key_func=_login_key, methods=["POST"], scope="staff-login")(view)
    view = limiter.limit(
        settings.staff.login_ip_limit, key_func=_login_address_key, methods=["POST"], scope="staff-login-ip"
    )(view)
    app.view_functions["staff_auth.login"] = view

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError) -> Any:
        message = "页面已过期或缺少安全令牌，请刷新页面后重试。"
        return render_template("console/error.html", message=message, code=400), 400


def _login_key() -> str:
    """Rate-limit key of a login attempt: client address and the user name tried, in the form login
    compares it (``ａgent1``, ``AGENT1 `` and ``agent1`` count as one name)."""
    name = normalise_name(request.form.get("username") or "").casefold()[:MAX_NAME_CHARS]
    return f"login:{get_remote_address()}:{name}"


def _login_address_key() -> str:
    """Rate-limit key of the per-address cap on login attempts, whatever names are tried."""
    return f"login-ip:{get_remote_address()}"


def guard(bp: Blueprint, roles: tuple[str, ...]) -> None:
    """Put a blueprint behind a login with one of ``roles``, CSRF checks and the Chinese 403 page.

    Args:
        bp: the blueprint.
        roles: roles allowed in.
    """

    @bp.before_request
    def _gate() -> Any:
        if not current_user.is_authenticated:
            if request.accept_mimetypes.best == "application/json" or request.path.endswith(".json"):
                return {"error": "请先登录"}, 401
            return redirect(url_for("staff_auth.login", next=request.full_path.rstrip("?")))
        if current_user.role not in roles:
            raise Forbidden(FORBIDDEN)
        if current_app.config.get("WTF_CSRF_ENABLED", True):
            csrf: CSRFProtect = current_app.extensions[CSRF]
            csrf.protect()
        return None

    @bp.errorhandler(403)
    def _forbidden(exc: Forbidden) -> Any:
        return render_template("console/error.html", message=FORBIDDEN, code=403), 403


def _safe_next(target: str | None) -> str | None:
    """Return ``target`` when it is a path on this site (no open redirect), else None."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def home_of(account: Account) -> str:
    """Return where an account lands after logging in."""
    return url_for("admin.index") if account.role == "maintainer" else url_for("console.search")


@auth_bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """The login page; a POST checks the name and password (rate-limited, CSRF-checked)."""
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(home_of(current_account()))
        return render_template("console/login.html", next=_safe_next(request.args.get("next")), error=None)
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf: CSRFProtect = current_app.extensions[CSRF]
        csrf.protect()
    name = (request.form.get("username") or "").strip()
    password = request.form.get("password") or ""
    next_url = _safe_next(request.form.get("next"))
    store = staff_store_of(current_app)
    account = store.authenticate(name, password) if name and password else None
    if account is None:
        store.audit(name[:40] or "（空）", "login_failed", f"登录失败，来自 {get_remote_address()}")
        return render_template("console/login.html", next=next_url, error=LOGIN_FAILED, username=name), 401
    session.clear()  # a fresh session for the new login (no fixation)
    session.permanent = True
    session[LOGIN_AT] = int(time.time())
    login_user(account)
    store.audit(account.name, "login", f"登录，来自 {get_remote_address()}")
    return redirect(next_url or home_of(account))


@auth_bp.post("/logout")
def logout() -> Any:
    """Log out (POST with the CSRF token) and go back to the login page."""
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf: CSRFProtect = current_app.extensions[CSRF]
        csrf.protect()
    if current_user.is_authenticated:
        audit("logout", "退出登录")
        staff_store_of(current_app).end_sessions(current_account().id)  # saved copies of the cookie too
    logout_user()
    session.clear()
    return redirect(url_for("staff_auth.login"))


@auth_bp.errorhandler(RateLimitExceeded)
def _too_many(exc: RateLimitExceeded) -> Any:
    from webchat.limits import LIMITER, wait_text

    limit = current_app.extensions[LIMITER].current_limit
    error = TOO_MANY_LOGINS
    if limit is not None and limit.breached:
        error = f"登录尝试过于频繁，请{wait_text(limit.reset_at - time.time())}后再试。"
    return render_template("console/login.html", next=None, error=error), 429
