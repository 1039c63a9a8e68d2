#!/bin/sh
# Regenerates Fixtures/report/store/fixture from fake trials (run from the package root after `swift build`),
# with the machine-dependent fields (pids, wall times, run_info) replaced by fixed values. Then regenerate the
# golden files: ABLATE_UPDATE_GOLDEN=1 swift test --filter StudyReportTests, and review the diff.
set -eu
root=$(pwd)
fx="$root/Tests/AblateTests/Fixtures"
tmp=$(mktemp -d)
(cd "$tmp" && "$root/.build/debug/ablate" run "$fx/report/fixture.yaml" --jobs 2 --trial-command "$fx/fake-trial.sh" --no-pretrain >/dev/null 2>&1 || true)
out="$fx/report/store/fixture"
rm -rf "$out"
for v in vigor fault random; do for s in 1 2 3; do
  d="$out/$v/seed-$s"; src="$tmp/runs/fixture/$v/seed-$s"; mkdir -p "$d"
  for f in status.json metrics.jsonl eval.json; do [ -f "$src/$f" ] && cp "$src/$f" "$d/"; done
  sed -i 's/"pid":[0-9]*/"pid":1000/' "$d/status.json"
  h=$(sed -n 's/.*"hash":"\([0-9a-f]*\)".*/\1/p' "$d/status.json")
  printf '{"config": {"seed": %d}, "hash": "%s", "run_info": {"code_version": "fixture-1", "machine": "Fixture CPU, 2 cores, OpenBLAS Haswell", "cores": 2, "openblas_core": "Haswell", "started": "2026-01-01T00:00:00Z"}}\n' "$s" "$h" > "$d/config.json"
  code=0; [ "$v" = fault ] && code=1
  printf '{"exit_code":%d,"seconds":%d.5,"started":"2026-01-01T00:00:00Z"}\n' "$code" $((10 + s)) > "$d/runner.json"
done; done
rm -rf "$tmp"
