# RewardZoo — the two commands of the README: `make demo` and `make test`. Both install what they need.
SHELL := /bin/bash
SWIFT ?= swift
APT_PACKAGES := libopenblas-dev libgsl-dev pkg-config
ABLATE := .build/release/ablate

.PHONY: deps build release test demo bench base fuzz clean slurm-start slurm-stop

# Installs the C libraries with apt-get when any is missing (as root, or through sudo).
deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; \
	  elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; \
	  else echo "make deps: need root or sudo to install:$$missing (apt-get install -y$$missing)" >&2; exit 1; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null \
	    || { echo "make deps: apt-get install$$missing failed" >&2; exit 1; }; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# The CLI tests (Tests/AblateTests/CLITests.swift) run the debug `ablate` binary, so build it first. The Slurm
# executor's tests run when a Slurm answers (`make slurm-start` then export SLURM_CONF; .ci/run does both) and are
# skipped otherwise, except under CI=true, where they must run.
test: deps
	$(SWIFT) build --product ablate
	$(SWIFT) test --disable-xctest

bench: release
	$(ABLATE) bench

# Regenerates the shipped base checkpoints models/base-<recipe hash>.safetensors (and their JSONL logs), one per
# named recipe (`ablate pretrain --list-recipes`; RECIPES=name limits it). Every study copies its base model into
# runs/cache instead of pre-training, so every machine starts from the same bits; a model pre-trained on another
# CPU's BLAS kernels differs in its last bits, so only commit one deliberately.
RECIPES ?= $$($(ABLATE) pretrain --list-recipes | cut -d' ' -f1)
base: release
	@for r in $(RECIPES); do \
	  hash=$$($(ABLATE) pretrain --recipe $$r --show-recipe | sed -n 's/^hash //p'); out=models/base-$$hash.safetensors; \
	  rm -f "$$out" "models/base-$$hash.jsonl"; $(ABLATE) pretrain --recipe $$r --out "$$out" || exit 1; \
	done

# The project's main job: the quick study (studies/quick.yaml). `ablate run` pre-trains the base model first (cached
# under runs/cache by recipe hash), runs the trials two at a time (resuming whatever is already on disk), prints each
# declared hypothesis's verdict and writes its report to runs/notebooks/quick.md, leaving the shipped
# notebooks-md/quick.md alone.
demo: release
	$(ABLATE) run studies/quick.yaml --jobs 2 --notebooks runs/notebooks
	@echo "make demo: this run's report is runs/notebooks/quick.md; the shipped report (committed code) is notebooks-md/quick.md"

# libFuzzer over the safetensors reader, the inspect JSONL reader, the stats request decoder and the study-file
# parser, seeded from
# Fuzz/corpus/<target> (new inputs go to .build/fuzz-corpus/<target>, findings to .build/fuzz-findings/).
# Swift's toolchain ships libclang_rt.fuzzer; FUZZ_SECONDS per target (default 600), run at low priority.
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?= safetensors jsonl stats study
FUZZ_BIN := .build/fuzz/debug/AblateFuzz
fuzz: deps
	$(SWIFT) build --product AblateFuzz --build-path .build/fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING
	@mkdir -p .build/fuzz-findings
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p .build/fuzz-corpus/$$t; \
	  echo "make fuzz: $$t for $(FUZZ_SECONDS) s"; \
	  ABLATE_FUZZ_TARGET=$$t nice -n 19 $(FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -timeout=25 -rss_limit_mb=4096 \
	    -max_len=65536 -artifact_prefix=.build/fuzz-findings/$$t- .build/fuzz-corpus/$$t Fuzz/corpus/$$t \
	    2>&1 | tail -n 4 || exit 1; \
	done

# A single-node Slurm on this machine for `ablate run --executor slurm` (scripts/local-slurm; apt, root): start
# prints the `export SLURM_CONF=...` line to run; stop ends its daemons by PID.
slurm-start:
	@scripts/local-slurm start

slurm-stop:
	@scripts/local-slurm stop

clean:
	rm -rf .build
