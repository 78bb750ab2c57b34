# The README's two commands: `make demo` and `make test`. Both work on a fresh machine
# with Python >= 3.11 (they create .venv and install everything into it).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ARCHIVE ?= demo-archive
FUZZ_SECONDS ?= 120
AXE := node_modules/axe-core/axe.min.js

.PHONY: setup system-packages demo test lint fuzz eval bench figures screenshots clean

$(BIN)/arkiv: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $(BIN)/arkiv

setup: $(BIN)/arkiv system-packages $(AXE)

# axe-core (npm) for the accessibility checks of the browser tests, pinned by package-lock.json.
$(AXE): package.json package-lock.json | system-packages
	@command -v npm >/dev/null 2>&1 || { echo "npm is missing: install nodejs (SYSTEM_PACKAGES) for the browser tests" >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Debian packages: pdftotext (poppler-utils) is the reference of the word check and the parse benchmark,
# tesseract with its Danish model reads scanned pages, LibreOffice converts legacy Word files,
# hunspell-da is the Danish dictionary compounds are split with (index.lexicon).
# Installed only when missing, as root or with passwordless sudo; otherwise one line names what to install
# (arkiv still reads text PDFs, DOCX and HTML without them, and make demo works).
# chromium runs the browser tests of `arkiv serve` (Playwright drives it), nodejs installs axe-core,
# hunspell-da is the Danish lexicon of compound splitting.
SYSTEM_PACKAGES ?= poppler-utils tesseract-ocr tesseract-ocr-dan libreoffice-writer-nogui chromium nodejs hunspell-da

system-packages:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -z "$$missing" ]; then :; \
	elif ! command -v apt-get >/dev/null 2>&1; then \
		echo "missing system packages (no apt-get here, install them by hand): $$missing" >&2; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
		sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else \
		echo "missing system packages: run 'sudo apt-get install $$missing' (needs root)" >&2; \
	fi

# Parse the bundled sample corpus into a catalog, index it, score the parser, search it.
demo: setup
	rm -rf $(ARCHIVE)
	$(BIN)/arkiv ingest corpus/sample --archive $(ARCHIVE) --quiet
	$(BIN)/arkiv index --archive $(ARCHIVE)
	$(BIN)/arkiv status --archive $(ARCHIVE)
	$(BIN)/arkiv eval corpus/sample
	$(BIN)/arkiv search sygefravær --archive $(ARCHIVE) --limit 5

# CI runs this: the suite with derandomized property tests, then about two minutes of fuzzing with a
# fixed seed and a fixed number of inputs per target, so that runs stay close to each other (not
# identical: coverage differs by about 1 % between runs). `make fuzz` explores with a random seed.
test: setup lint
	HYPOTHESIS_PROFILE=ci $(BIN)/pytest
	$(BIN)/python fuzz/run.py --seconds 320 --seed 1 --runs 20000

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Coverage-guided fuzzing of the PDF, DOCX, HTML and zip entry points (`make fuzz FUZZ_SECONDS=3600`);
# a crashing input is saved under fuzz/crashes/ and the target fails.
fuzz: setup
	$(BIN)/python fuzz/run.py --seconds $(FUZZ_SECONDS)

eval: setup
	$(BIN)/arkiv eval corpus/sample --min-score 0.98
	$(BIN)/arkiv eval-search
	$(BIN)/arkiv eval-nlp

bench: setup
	$(BIN)/python benchmarks/bench_parse.py
	$(BIN)/python benchmarks/bench_ingest.py
	$(BIN)/python benchmarks/bench_search.py --items 20000
	$(BIN)/python benchmarks/bench_aktindsigt.py --items 100000
	$(BIN)/python benchmarks/bench_web.py --items 20000 --json benchmarks/results/bench_web.json

# The README's figure tables: every benchmark at the (small) size the README names, writing its JSON into
# benchmarks/results/, then the tables rendered from those files (`readme_figures.py --check` in the tests).
# Not re-run here: the 1,000,000-item search (hours; `bench_search_1m.json` names its command) and
# bench_analysis.py (it compares with a copy of older code; `bench_analysis.json` names its command). The compound
# benchmark measures spaCy's Danish lookup table from its wheel: `pip download spacy-lookups-data --no-deps`.
R := benchmarks/results
SPACY_WHEEL ?= spacy_lookups_data-1.0.5-py2.py3-none-any.whl
figures: setup
	$(BIN)/python benchmarks/eval_figures.py --json $(R)/eval_figures.json
	$(BIN)/python benchmarks/bench_parse.py --repeat 3 --json $(R)/bench_parse_sample.json
	$(BIN)/python benchmarks/bench_parse.py --realdocs --repeat 3 --json $(R)/bench_parse_realdocs.json
	$(BIN)/python benchmarks/word_agreement.py --esdh 4 --json $(R)/word_agreement.json
	$(BIN)/python benchmarks/bench_xml.py --repeat 5 --json $(R)/bench_xml.json
	$(BIN)/python benchmarks/bench_ocr.py --count 3 --json $(R)/bench_ocr.json
	$(BIN)/python benchmarks/bench_convert.py --files 6 --json $(R)/bench_convert.json
	$(BIN)/python benchmarks/bench_ingest.py --count 4000 --big-pages 0 --json $(R)/bench_ingest.json
	$(BIN)/python benchmarks/bench_cluster.py --count 100 --json $(R)/bench_cluster.json
	$(BIN)/python benchmarks/bench_cluster_limits.py --rounds 5 --json $(R)/bench_cluster_limits.json
	$(BIN)/python benchmarks/bench_search.py --items 20000 --json $(R)/bench_search.json
	$(BIN)/python benchmarks/bench_compounds.py --spacy-wheel $(SPACY_WHEEL) --json $(R)/bench_compounds.json
	$(BIN)/python benchmarks/bench_web.py --items 20000 --json $(R)/bench_web.json
	$(BIN)/python benchmarks/bench_links.py --folders 1000 --repeat 3 --json $(R)/bench_links.json
	$(BIN)/python benchmarks/bench_entities.py --json $(R)/bench_entities.json
	$(BIN)/python benchmarks/bench_aktindsigt.py --items 5000 --json $(R)/bench_aktindsigt.json
	$(BIN)/python benchmarks/readme_figures.py

# The README's screenshots (docs/screenshots/), taken by the browser tests.
screenshots: setup
	ARKIV_SCREENSHOTS=$(CURDIR)/docs/screenshots $(BIN)/pytest tests/browser -q

clean:
	rm -rf $(VENV) $(ARCHIVE) .pytest_cache .ruff_cache node_modules
