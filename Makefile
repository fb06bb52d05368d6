# Set-up and checks. `make install` then `make test` on a fresh machine; `make bench` for the figures.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
SHARED ?= ../shared
# The compiled core (rust/, imported as cleaner._core): `make install` builds it through pip (setuptools-rust, release
# profile); these checks build it apart, linked to the venv's Python.
CARGO  := PYO3_PYTHON=$(abspath $(PY)) cargo
CRATE  := --manifest-path rust/Cargo.toml

.PHONY: install install-bench test lint format bench fit fit-html fuzz clean

$(PY):
	python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip

install: $(PY)
	$(PIP) install -q -e '.[test,dask]'

install-bench: install
	$(PIP) install -q -e '.[test,bench]'

lint: $(PY)
	$(VENV)/bin/ruff check cleaner tests bench fuzz
	$(VENV)/bin/ruff format --check cleaner tests bench fuzz
	$(CARGO) fmt $(CRATE) --check
	$(CARGO) clippy $(CRATE) --all-targets --quiet -- -D warnings

format: $(PY)
	$(VENV)/bin/ruff format cleaner tests bench fuzz
	$(VENV)/bin/ruff check --fix cleaner tests bench fuzz
	$(CARGO) fmt $(CRATE)

test: lint
	$(CARGO) test $(CRATE) --lib --quiet
	$(PY) -m pytest

# Quality on the dev pages next to the peers, throughput on a generated corpus, HTML input next to its peers
# (article-extraction-dev; trafilatura-eval-dev; the extraction choice cross-validated by site), text pages of many
# sites and aggregators (bench/unseen.py), learning (F1 with and without --learn, memory on 100,000 pages), dedup
# (bench/dedup.py) and --dask (bench/dask.py). Each benchmark writes its report into its section of
# docs/benchmarks.md (bench/report.py): the one place the figures live.
bench: export BENCH_PAGE = docs/benchmarks.md
bench: install-bench
	$(PY) -m bench.quality --shared $(SHARED)
	$(PY) -m bench.unseen --shared $(SHARED)
	$(PY) -m bench.throughput --shared $(SHARED)
	$(PY) -m bench.html --shared $(SHARED)
	$(PY) -m bench.html_eval --shared $(SHARED)
	$(PY) -m bench.fit_html_choice --shared $(SHARED) --refresh
	$(PY) -m bench.learn --shared $(SHARED)
	$(PY) -m bench.dedup --shared $(SHARED)
	$(PY) -m bench.hostile --shared $(SHARED)
	$(PY) -m bench.dask --shared $(SHARED)

# Coverage-guided fuzzing of the input path and clean() with atheris (see docs/hostile-input.md); one core.
FUZZ_SECONDS ?= 1200
fuzz: install
	$(PIP) install -q -e '.[test,fuzz]'
	mkdir -p fuzz/corpus
	cd fuzz && nice ../$(PY) clean_fuzz.py corpus seeds ../fixtures/pages -max_total_time=$(FUZZ_SECONDS) \
		-timeout=20 -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1

# Refit the density model's weights on the dev pages (see docs/design.md, "Density model").
fit: install-bench
	$(PY) -m bench.fit_density --shared $(SHARED) --out cleaner/models/density.json

# Refit the HTML path's extraction choice on the dev pages (see docs/html-extraction.md).
fit-html: install-bench
	$(PY) -m bench.fit_html_choice --shared $(SHARED) --refresh --write

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache rust/target cleaner/_core*.so
