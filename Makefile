# 就业政策助手 — build, run and test. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
RASA_VENV := .venv-rasa
PY311     ?= $(shell command -v python3.11 2>/dev/null)
# Rasa 3.6 runs only on Python 3.8–3.10: take pyenv's 3.10 on these machines, else python3.10 on PATH.
PY310     ?= $(shell ls -1 $$HOME/.pyenv/versions/3.10.*/bin/python3.10 2>/dev/null | sort -V | tail -n 1)
ifeq ($(PY310),)
PY310     := $(shell command -v python3.10 2>/dev/null)
endif
APP_STAMP  := $(VENV)/.installed
RASA_STAMP := $(RASA_VENV)/.installed
PIP_QUIET  ?= -q

.PHONY: help install install-app install-rasa system-deps run ingest docs audit bench bench-load bench-soak test test-fast lint lock clean bot-data train bot-test nlu-cv eval-chat

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

install: install-app install-rasa ## build both environments (.venv: app, .venv-rasa: Rasa); safe to re-run

SYSTEM_PACKAGES := chromium chromium-driver fonts-wqy-microhei postgresql redis-server
system-deps: ## Debian packages the tests need (headless Chromium + driver + Chinese font; PostgreSQL and Redis for scale-out tests); needs root or sudo
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null && fc-list 2>/dev/null | grep -qi wqy \
	    && ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 && command -v redis-server >/dev/null; then \
	  echo "系统依赖已安装：$(SYSTEM_PACKAGES)"; \
	else \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null \
	  || { echo "错误：无法安装 $(SYSTEM_PACKAGES)（需要 root 或 sudo 以及 apt）。" >&2; exit 1; }; \
	fi

install-app: $(APP_STAMP)
$(APP_STAMP): requirements/app.lock pyproject.toml
	@test -n "$(PY311)" || { echo "错误：找不到 Python 3.11（python3.11），无法创建应用环境 $(VENV)。" >&2; exit 1; }
	@test -x $(VENV)/bin/python || $(PY311) -m venv $(VENV)
	$(VENV)/bin/python -m pip install $(PIP_QUIET) --upgrade "pip>=24" 2>&1 | grep -v "^WARNING: Location" || true
	$(VENV)/bin/python -m pip install $(PIP_QUIET) -r requirements/app.lock 2>&1 | grep -v "^WARNING: Location" ; test $${PIPESTATUS[0]} -eq 0
	$(VENV)/bin/python -m pip install $(PIP_QUIET) --no-deps --no-build-isolation -e . 2>&1 | grep -v "^WARNING: Location" ; test $${PIPESTATUS[0]} -eq 0
	@touch $@

install-rasa: $(RASA_STAMP)
$(RASA_STAMP): requirements/rasa.lock
	@test -n "$(PY310)" || { echo "错误：找不到 Python 3.10。Rasa 3.6 只能运行在 Python 3.8–3.10 上；请安装 python3.10（或 pyenv install 3.10）后重试。" >&2; exit 1; }
	@test -x $(RASA_VENV)/bin/python || $(PY310) -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/python -m pip install $(PIP_QUIET) "pip<24.1" 2>&1 | grep -v "^WARNING: Location" || true
	$(RASA_VENV)/bin/python -m pip install $(PIP_QUIET) -r requirements/rasa.lock 2>&1 | grep -v "^WARNING: Location" ; test $${PIPESTATUS[0]} -eq 0
	@touch $@

run: install train ## install everything, train the bot if needed, build the index if missing, start web + Rasa + actions
	$(VENV)/bin/policybot index build --if-missing
	@echo "就业政策助手：web、Rasa 和动作服务器正在启动，Rasa 加载模型约需半分钟。打开 http://127.0.0.1:8000/ 开始对话；按 Ctrl-C 全部停止。"
	$(VENV)/bin/honcho start -f Procfile

ingest: $(APP_STAMP) ## parse knowledge/sources and print what was found
	$(VENV)/bin/policybot ingest

docs: $(APP_STAMP) ## list the documents as JSON lines
	$(VENV)/bin/policybot docs --json

lint: $(APP_STAMP) $(RASA_STAMP) ## ruff + mypy, the app and the bot (the bot's mypy reads .venv-rasa's packages)
	$(VENV)/bin/ruff check knowledge retrieval answering webchat tools tests bot
	$(VENV)/bin/ruff format --check knowledge retrieval answering webchat tools tests bot
	$(VENV)/bin/mypy
	$(VENV)/bin/mypy --config-file bot/mypy.ini --python-executable $(RASA_VENV)/bin/python

test: system-deps install lint audit train ## the whole test suite: lint, type check, train the bot, every pytest marker (browser too), then the bot's own tests
	$(VENV)/bin/python -m pytest
	$(MAKE) bot-test

test-fast: $(APP_STAMP) ## only the fast tests
	$(VENV)/bin/python -m pytest -m "not slow and not integration and not browser"

bench: $(APP_STAMP) ## benchmarks: medians and p95 (ingest, build, search, eligibility, 200k scale)
	$(VENV)/bin/policybot bench ingest --runs 20
	$(VENV)/bin/policybot bench build --runs 3
	$(VENV)/bin/policybot index build
	$(VENV)/bin/policybot bench search --runs 10
	$(VENV)/bin/policybot bench eligibility --runs 200
	$(VENV)/bin/policybot bench scale --runs 3 --size 200000

ADVISORY_DB   ?= ../shared/advisory-db
OSV_URL       ?= https://api.osv.dev/v1
AUDIT_TIMEOUT ?= 5
AUDIT_TRIAGE  ?= requirements/audit-triage.yml
AUDIT_ARGS    ?=

audit: $(APP_STAMP) ## both lock files against OSV online (if reachable in AUDIT_TIMEOUT s) or the snapshot in ADVISORY_DB; prints the source and its date; fails on a finding not triaged in AUDIT_TRIAGE
	$(VENV)/bin/python -m tools.depaudit --lock requirements/app.lock --lock requirements/rasa.lock \
	  --db "$(ADVISORY_DB)" --osv-url "$(OSV_URL)" --timeout $(AUDIT_TIMEOUT) --triage "$(AUDIT_TRIAGE)" $(AUDIT_ARGS)

bench-load: system-deps install train ## 50 simulated citizens for 60 s on 127.0.0.1: embedded, then scale-out with 1 and 2 replicas
	$(VENV)/bin/python -m tests.load --mode embedded --replicas 1 --users 50 --duration 60 --long 100 --out var/artifacts/load-embedded.json
	$(VENV)/bin/python -m tests.load --mode scaleout --replicas 1 2 --users 50 --duration 60 --out var/artifacts/load-scaleout.json

bench-soak: system-deps install train ## 10-minute soak at the same load: RSS growth per process (target < 10 %)
	$(VENV)/bin/python -m tests.load --mode embedded --replicas 1 --users 50 --duration 600 --sample 30 --warmup 120 --out var/artifacts/soak.json

bot-data: $(APP_STAMP) ## regenerate bot/ files derived from the lexicon (jieba dict, lookups, synonyms)
	$(VENV)/bin/policybot bot export

train: install ## train the Rasa model (skipped by Rasa itself when data and config are unchanged)
	$(VENV)/bin/policybot bot export --check
	cd bot && ../$(RASA_VENV)/bin/rasa train --fixed-model-name policybot --out models

bot-test: train ## rasa data validate, test stories, the blind NLU hold-out set (F1 >= 0.95), action tests against the real API
	cd bot && ../$(RASA_VENV)/bin/rasa data validate --fail-on-warnings
	cd bot && ../$(RASA_VENV)/bin/rasa test core --stories tests --model models/policybot.tar.gz --fail-on-prediction-errors --out results
	cd bot && ../$(RASA_VENV)/bin/rasa test nlu --nlu eval/nlu_holdout.yml --model models/policybot.tar.gz --out results/holdout
	cd bot && ../$(RASA_VENV)/bin/python nlu_report.py results/holdout/intent_report.json --min 0.95
	cd bot && ../$(RASA_VENV)/bin/python -m pytest -q -p no:cacheprovider tests

eval-chat: install train ## end-to-end conversation figures on the citizen sets (real stack; floors in tests/evalchat_floors.json); failures' transcripts in var/artifacts/evalchat.json
	$(VENV)/bin/python -m tests.evalchat --out var/artifacts/evalchat.json

CV_SEED ?= 1
nlu-cv: install ## NLU 3-fold cross-validation with a fixed fold split (CV_SEED=1): report in bot/results/cv/
	cd bot && ../$(RASA_VENV)/bin/python nlu_cv.py $(CV_SEED) test nlu --nlu data --cross-validation --folds 3 --out results/cv
	cd bot && ../$(RASA_VENV)/bin/python nlu_report.py results/cv/intent_report.json

lock: ## re-pin requirements/*.lock from the current environments
	{ echo "# App environment (.venv, Python 3.11): exact pins. Regenerate with: make lock"; \
	  $(VENV)/bin/python -m pip freeze --exclude-editable | sed 's/^torch==2.13.0+cpu$$/torch==2.13.0/'; } > requirements/app.lock
	{ echo "# Rasa environment (.venv-rasa, Python 3.10): exact pins. Regenerate with: make lock"; \
	  $(RASA_VENV)/bin/python -m pip freeze; } > requirements/rasa.lock

clean: ## remove both environments and generated data
	rm -rf $(VENV) $(RASA_VENV) var .pytest_cache .mypy_cache .ruff_cache
