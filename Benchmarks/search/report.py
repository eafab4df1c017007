#!/usr/bin/env python3
"""Markdown table of run.sh's results.jsonl: p50/p99 of each query and their ratio to /healthz on the same engine."""
import json, statistics, sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
engines = []
for r in rows:
    e = r["label"].split("@")[1]
    if e not in engines: engines.append(e)
print("| engine | query | req/s | p50 ms | p99 ms | p50 / healthz p50 | p99 / healthz p99 | errors+non2xx |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
for e in engines:
    health = [r for r in rows if r["label"] == f"healthz@{e}"]
    h50 = statistics.median(r["p50_ms"] for r in health)
    h99 = statistics.median(r["p99_ms"] for r in health)
    for r in rows:
        name, engine = r["label"].split("@")
        if engine != e: continue
        print(f"| {e} | {name} | {r['rps']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['p50_ms'] / h50:.1f}× | {r['p99_ms'] / h99:.1f}× | {r['errors'] + r['non2xx']} |")
