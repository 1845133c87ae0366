# Two commands on a fresh machine:  `make demo`  (the monitor on the bundled clip)  and  `make test`.
# Both create or update the virtual environment in .venv first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.livecheck-installed

.PHONY: demo test system-deps train clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/livecheck

# Debian packages the tests use: Xvfb + the libraries of Qt's xcb plugin (real-window test) and
# opencv-data (OpenCV's LIVE BRISQUE model, the reference the BRISQUE tests compare against).
system-deps:
	sh scripts/install_system_deps.sh

test: $(STAMP) system-deps
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

train: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[train]'

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
