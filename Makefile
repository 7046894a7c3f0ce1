.PHONY: demo test check audit bench serve

demo:        ## start the demo: a sample article with a live comment section, on SQLite
	@scripts/bootstrap && .venv/bin/rejoinder demo

test:        ## run the whole test suite (lint, types, unit, HTTP, real servers, browser)
	@scripts/test

check:
	@scripts/check

audit:       ## known vulnerabilities in the installed Python and npm packages (pip-audit, npm audit)
	@scripts/audit

bench:       ## run the benchmark suite against Isso and nginx; writes docs/benchmarks.md
	@scripts/bootstrap && .venv/bin/python bench/run.py

serve:
	@scripts/bootstrap && .venv/bin/rejoinder serve
