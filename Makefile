# avsnb: `make demo` runs the main job, `make test` runs the whole test suite (what CI runs). Both set up .venv first.
.PHONY: setup demo test docs readme export prepare
setup:
	bash tools/setup.sh
demo: setup
	.venv/bin/avsnb demo
test:
	bash tools/test.sh
docs: setup
	.venv/bin/python tools/docs.py build
readme: setup
	.venv/bin/python tools/docs.py readme
export: setup
	.venv/bin/nbdev_export && .venv/bin/nbdev_clean
prepare: export readme
	bash tools/test.sh
