# nb2jvm: `make demo` and `make test` are all the set-up there is (see README.md).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
OUT    ?= out

.PHONY: demo test check-jdk check-mvn venv clean bench bench-quick help

help:
	@echo "make demo   - set up, build the quickstart notebook's JVM artifact, run it on Spark, compare"
	@echo "make test   - set up and run the test suite"
	@echo "make bench  - the full benchmark suite (1M-10M rows; tens of minutes) -> benchmarks/results/full.md"
	@echo "make bench-quick - the CI-sized benchmark suite (a few minutes) -> benchmarks/results/quick.md"
	@echo "make clean  - remove the virtual environment and build outputs"

check-jdk:
	@command -v java >/dev/null 2>&1 && command -v javac >/dev/null 2>&1 || { \
	  echo "nb2jvm needs a JDK 17 or newer (java and javac), and none was found."; \
	  echo "Install one, e.g. 'apt-get install openjdk-17-jdk-headless' or https://adoptium.net,"; \
	  echo "then put it on PATH or set JAVA_HOME, and run make again."; exit 2; }
	@v=$$(javac -version 2>&1 | awk '{print $$2}' | cut -d. -f1); [ "$$v" -ge 17 ] 2>/dev/null || { \
	  echo "nb2jvm needs JDK 17 or newer; found javac $$(javac -version 2>&1)."; exit 2; }

check-mvn:
	@command -v mvn >/dev/null 2>&1 || { \
	  echo "the test suite builds real Maven projects and needs Maven 3.8 or newer (mvn), and none"; \
	  echo "was found: 'apt-get install maven' or https://maven.apache.org/install.html"; exit 2; }

$(STAMP): pyproject.toml
	@echo "setting up $(VENV) (first run downloads pyspark, ~450 MB)"
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || { \
	  echo "nb2jvm needs Python 3.11 or newer (set PYTHON=python3.11)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*; touch $(STAMP)

venv: $(STAMP)

demo: check-jdk $(STAMP)
	@NB2JVM_PROGRESS=1 $(BIN)/nb2jvm verify notebooks/quickstart.ipynb -o $(OUT)/quickstart \
	  --report $(OUT)/quickstart-report.json

test: check-jdk check-mvn $(STAMP)
	$(BIN)/python -m pytest

bench: check-jdk $(STAMP)
	$(BIN)/python benchmarks/run.py --full

bench-quick: check-jdk $(STAMP)
	$(BIN)/python benchmarks/run.py --quick

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
