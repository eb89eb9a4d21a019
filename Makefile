# kicky: two commands on a fresh machine (see README.md)
#   make demo   install, fetch the embedded sample clips (DVC, offline) and run the pipeline (dvc repro)
#   make test   install and run the test suite
VENV ?= .venv
PY := $(VENV)/bin/python
DVC := $(VENV)/bin/dvc

.PHONY: setup demo test browser sheet clean-venv app

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -e ".[test]"
	touch $@

demo: setup
	$(DVC) pull -q data.dvc
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH $(DVC) repro
	@cat metrics/sim.md metrics/label.md metrics/dataset_classes3.md metrics/dataset_classes5.md metrics/train.md metrics/eval.md outputs/demo/coach.md

test: setup browser
	$(PY) -m pytest -q

browser:   # the web app's browser test drives Debian's Chromium (never a downloaded one)
	@command -v chromium >/dev/null || { S=$$([ "$$(id -u)" = 0 ] || echo sudo); $$S apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $$S apt-get install -y -q chromium >/dev/null; }

app: setup   # the web app on http://127.0.0.1:7860 with the sample clips (after make demo: data/clips)
	$(DVC) pull -q data.dvc
	$(PY) -m kicky.app

sheet: setup
	$(PY) -m kicky.sim.contact_sheet clips=data/clips out=contact_sheet.png n=12

clean-venv:
	rm -rf $(VENV)
