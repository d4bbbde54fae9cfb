# Javi se: `make run` sets everything up and starts the hotline; `make test` runs the suite.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
MODEL_INPUTS := config.yml domain.yml $(wildcard data/nlu/*.yml) data/rules.yml $(wildcard data/stories*.yml) $(wildcard bot/nlu/*.py)
export PYTHONUNBUFFERED := 1
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.DEFAULT_GOAL := help
.PHONY: help setup train db validate lint run shell test bench-nlu bench-channels bench-alerts bench-conversations bench-outage bench-console clean

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || { py=$$(scripts/find-python.sh) && $$py -m venv $(VENV); }
	$(BIN)/python -m pip install -q --upgrade "pip<24.1" 2>&1 | grep -v "is ignored" || true
	$(BIN)/pip install -q -r requirements.txt 2>&1 | grep -v -e "is ignored" -e DEPRECATION || true
	$(BIN)/pip install -q --no-deps -e . 2>&1 | grep -v "is ignored" || true
	$(BIN)/python -c "import rasa, telegram, twilio, bot.cli" && touch $(STAMP)

setup: $(STAMP) ## Create .venv with Python 3.10 and install pinned dependencies

$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(BIN)/pip install -q -r requirements-dev.txt 2>&1 | grep -v -e "is ignored" -e DEPRECATION || true
	$(BIN)/pip check
	@touch $@

models/javi-se.tar.gz: $(STAMP) $(MODEL_INPUTS)
	$(BIN)/rasa train --fixed-model-name javi-se --out models
	@touch $@

train: models/javi-se.tar.gz ## Train the model (only when data or config changed)

db: $(STAMP) ## Create/migrate the database and load the sample directory
	$(BIN)/hotline db upgrade
	$(BIN)/hotline directory import

validate: $(STAMP) ## Check domain, rules and training data
	$(BIN)/rasa data validate --fail-on-warnings

run: train db ## Set up and start the hotline (REST on :5005, actions on :5055, alert worker, staff console on :8000)
	@echo "Talk to it:  curl -s localhost:5005/webhooks/rest/webhook -d '{\"sender\":\"demo\",\"message\":\"zdravo\"}'"
	@echo "or run 'make shell' in another terminal; '.venv/bin/hotline case list' shows the cases."
	@echo "Staff console: http://localhost:8000 (accounts: '.venv/bin/hotline staff invite k10-coordinator', see README)."
	@echo "Ctrl-C stops everything."
	$(BIN)/hotline run

shell: train db ## Chat in the terminal (rasa shell, with the action server)
	$(BIN)/hotline shell

lint: $(DEV_STAMP) ## ruff (lint, import order, pyupgrade), ruff format --check, mypy on bot/ and actions/
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: $(DEV_STAMP) train db validate ## Set up, then run the whole suite (unit, database, end-to-end, stories)
	$(BIN)/rasa test core --stories tests/stories --fail-on-prediction-errors --out results/stories
	$(BIN)/pytest -q

bench-nlu: train ## Accuracy per language and script, crisis recall, latency; long messages (benign, hidden crisis)
	$(BIN)/python -m bench.nlu

bench-channels: train ## Concurrent conversations over Telegram and SMS: latency, throughput, losses
	$(BIN)/python -m bench.channels

bench-alerts: train ## Critical report to first staff alert over the fakes: latency (p95 under 2 s)
	$(BIN)/python -m bench.alerts

bench-outage: train ## 200 messages during a 20 s PostgreSQL cut: lost, answered twice, crisis reply p95, journal drain
	$(BIN)/python -m bench.outage

bench-conversations: train ## Personas write as people do, over REST and signed SMS: completion, loops, descriptions kept
	$(BIN)/python -m bench.conversations

bench-console: $(STAMP) ## Queue and case page, 10,000 cases, 20 staff at once, SQLite and PostgreSQL (p95 under 200 ms)
	$(BIN)/python -m bench.console

clean: ## Remove the virtualenv, models and local database
	rm -rf $(VENV) models/*.tar.gz var results
