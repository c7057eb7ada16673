# gunicorn settings for a production web replica, applied on top of config.yml's web.* values:
#   POLICYBOT_WEB__GUNICORN_CONFIG=/opt/policybot/deploy/gunicorn.conf.py policybot serve
# `policybot serve` already sets bind (web.host/web.port), workers (web.workers), threads (web.threads)
# and the gthread worker; this file tunes what a long-running replica behind nginx needs.

# Recycle workers now and then (jittered so replicas do not restart together): bounds slow leaks.
max_requests = 5000
max_requests_jitter = 500

# A chat turn waits at most chat.timeout_s (8 s) for Rasa; anything far longer is a stuck worker.
timeout = 60
graceful_timeout = 20
keepalive = 5

# X-Forwarded-For / X-Forwarded-Proto from nginx are applied by the app itself (web.trusted_proxies = 1,
# werkzeug ProxyFix), so that rate limits key on the citizen's address; gunicorn need not trust anyone.
forwarded_allow_ips = ""

# Refuse absurd request lines and headers before Flask sees them.
limit_request_line = 8190
limit_request_fields = 100

# One line per request to stdout (journald); no query strings, which may hold a citizen's question.
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
