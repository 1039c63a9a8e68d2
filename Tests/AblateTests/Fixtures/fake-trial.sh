#!/bin/sh
# A fake `ablate train --config FILE --out DIR` for the runner tests: writes the trial contract's files
# (status.json, metrics.jsonl, eval.json, a placeholder model.safetensors) deterministically from the config's seed and reward name.
# Reward "fault" fails at step 2 (status failed, exit 1). FAKE_TRIAL_SLEEP seconds per step (default 0).
# FAKE_TRIAL_COUNT, when set, is a file that gets one line per start (to count runs).
set -u
config=""; out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --config) config="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) shift ;;
  esac
done
[ -n "$config" ] && [ -n "$out" ] || { echo "usage: train --config FILE --out DIR" >&2; exit 2; }
text=$(cat "$config")
seed=$(printf '%s' "$text" | sed -n 's/.*"seed":\([0-9]*\).*/\1/p')
name=$(printf '%s' "$text" | sed -n 's/.*"reward":{[^}]*"name":"\([a-z_]*\)".*/\1/p')
hash=$(printf '%s' "$text" | sed -n 's/.*"hash":"\([0-9a-f]*\)".*/\1/p')
steps=$(printf '%s' "$text" | sed -n 's/.*"max_steps":\([0-9]*\).*/\1/p')
[ -n "${FAKE_TRIAL_COUNT:-}" ] && echo "$name/$seed" >> "$FAKE_TRIAL_COUNT"
# Inside a Slurm array task the status names the task, as the trainer's does.
job=null
[ -n "${SLURM_ARRAY_JOB_ID:-}" ] && job="\"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\""
status() { # state step reason
  printf '{"hash":"%s","job":%s,"pid":%d,"reason":%s,"status":"%s","step":%d,"updated":"2026-01-01T00:00:00Z"}\n' \
    "$hash" "$job" $$ "$3" "$1" "$2" > "$out/status.json.tmp" && mv "$out/status.json.tmp" "$out/status.json"
}
step=0
trap 'status interrupted $step null; exit 143' TERM
trap 'status interrupted $step null; exit 130' INT
status running 0 null
# The base model's evaluation before training: the same for every trial, as in a real study.
printf '{"kind":"eval","step":0,"suites":{"arith":{"n":100,"accuracy":0.45,"mean_length":33.0},"word":{"n":100,"accuracy":0.30,"mean_length":40.0},"trace":{"n":100,"accuracy":0.20,"mean_length":22.0}},"pass_at_k_minus_pass_at_1":null}\n' >> "$out/metrics.jsonl"
len=${#name}
while [ $step -lt "$steps" ]; do
  step=$((step + 1))
  sleep "${FAKE_TRIAL_SLEEP:-0}"
  if [ "$name" = fault ] && [ $step -eq 2 ]; then
    status failed 1 "\"non-finite reward at step 2 (reward 'fault', completion 3)\""
    exit 1
  fi
  acc=$(( (len * 7 + seed * 13 + step * 3) % 60 + 20 ))
  auroc=$(( (len * 5 + seed * 3 + step) % 40 + 50 ))
  clen=$(( 30 + (len * 3 + seed + step * 2) % 20 ))
  ent=$(( (len + seed * 7 + step * 11) % 90 + 10 ))
  status running $step null
  printf '{"kind":"train","step":%d,"rollout_accuracy":0.%02d,"auroc":0.%02d,"completion_length":%d,"entropy":0.%02d,"majority_ratio":null}\n' \
    $step $acc $auroc $clen $ent >> "$out/metrics.jsonl"
done
a1=$(( (len * 11 + seed * 17) % 50 + 30 )); a2=$(( (len * 13 + seed * 7) % 40 + 10 )); a3=$(( (len * 3 + seed * 19) % 30 + 5 ))
cat > "$out/eval.json.tmp" <<JSON
{"checkpoint": null, "order": ["arith", "word", "trace"], "seconds": 1.0, "seed": 0, "suites": {
 "arith": {"n": 100, "accuracy": 0.$a1, "ci_low": 0.1, "ci_high": 0.9, "mean_length": 3$(( (len + seed * 3) % 10 )).5, "truncated": 0.0, "unparsable": 0.01, "knobs": "{}"},
 "word": {"n": 100, "accuracy": 0.$a2, "ci_low": 0.1, "ci_high": 0.9, "mean_length": 4$(( (len * 2 + seed) % 10 )).0, "truncated": 0.0, "unparsable": 0.02, "knobs": "{}"},
 "trace": {"n": 100, "accuracy": 0.$a3, "ci_low": 0.1, "ci_high": 0.9, "mean_length": 22.0, "truncated": 0.0, "unparsable": 0.0, "knobs": "{}"}}}
JSON
printf 'fake model\n' > "$out/model.safetensors"
mv "$out/eval.json.tmp" "$out/eval.json"
status complete "$steps" null
exit 0
