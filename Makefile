# Thin aliases for dev.py, which needs nothing but Python 3.11+ (make is optional).
PYTHON ?= python3

.PHONY: demo test bench
demo:
	$(PYTHON) dev.py demo
test:
	$(PYTHON) dev.py test
bench:
	$(PYTHON) dev.py bench
