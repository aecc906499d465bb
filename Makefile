# Idempotent targets: each creates .venv with python3 -m venv if needed and reinstalls only when
# pyproject.toml changed.
VENV   := .venv
PYTHON := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
REFERENCE := .reference/.installed

.PHONY: run test bench lint package clean translations

run: $(STAMP)
	$(PYTHON) main.py

# pytest exits 5 when it collected no test: that is a failure here, not a pass. The FHIR references the
# export tests check against (official R4 JSON schema, R4 definitions, fhirpath.js) come from npm first.
test: $(STAMP) $(REFERENCE)
	QT_QPA_PLATFORM=offscreen $(PYTHON) -m pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: no tests were collected" >&2; exit 1; fi; exit $$status

$(REFERENCE): tests/reference/npm.py $(STAMP)
	$(PYTHON) -m tests.reference.npm
	touch $(REFERENCE)

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PYTHON) -m bench

# The one-folder bundle dist/sijpro and its .tar.gz (PyInstaller, from the `package` extra); rebuilt only
# when a source changed since the last build.
package: $(STAMP)
	$(PYTHON) packaging/build.py --archive

# The words: after editing resources/locale/*/LC_MESSAGES/sijpro.po, compile the .mo beside each and
# commit both (tests/test_catalogue.py fails while a .mo is older than its .po).
translations: $(STAMP)
	$(VENV)/bin/pybabel compile --statistics -d resources/locale -D sijpro

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

$(PYTHON):
	python3 -m venv $(VENV)

$(STAMP): pyproject.toml | $(PYTHON)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -e '.[postgres,test,dev,package]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) .reference build dist *.egg-info
