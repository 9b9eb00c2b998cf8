# The two commands a newcomer needs:  `make book`  (build the book)  and  `make test`  (run the tests).
# Both create the virtual environment .venv and install the pinned requirements on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | sha256sum | cut -c1-12)

.PHONY: book pdf test install clean bench

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-* && touch $@

book: $(STAMP)
	$(BIN)/evalpatterns build

# The whole book as one PDF (_build/html/evalpatterns.pdf), printed from the built HTML by Debian's chromium.
pdf: $(STAMP)
	$(BIN)/python -m evalpatterns.pdf _build/html

test: $(STAMP)
	$(BIN)/python -m pytest -q

clean:
	rm -rf _build

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_library.py
	$(BIN)/python benchmarks/bench_build.py
