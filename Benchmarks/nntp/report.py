#!/usr/bin/env python3
"""Tables of a results.jsonl written by run.sh (load.py --jsonl and bench.py --jsonl).

    report.py results.jsonl [more.jsonl ...] [--base INN] [--other Starcon]

Prints (1) the load table, (2) the comparison table: per scenario, each server's median
throughput over its runs (min-max) and median p99, and the ratio other/base of throughput
(median of the per-run ratios of runs with the same index, which ran back to back and made
the same requests; min-max; runs from several files are pooled), and (3) a detail table (p50, errors, server CPU per request,
machine CPU busy).  Ratio > 1: the other server is faster.
"""
from __future__ import annotations

import argparse
import json
import statistics

ORDER = {"over": 0, "article": 1, "post": 2, "mixed": 3}
NAMES = {"over": "GROUP + OVER (1,000 articles)", "article": "ARTICLE by number", "post": "POST",
         "mixed": "mixed: OVER + ARTICLE + POST (+ GROUP)"}
MIXED_OPS = ("group", "over", "article", "post")


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def spread(xs, fmt="{:.0f}"):
    """ " (min–max)" of two or more values, else nothing."""
    xs = [x for x in xs if x is not None]
    return f" ({fmt.format(min(xs))}–{fmt.format(max(xs))})" if len(xs) > 1 else ""


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("files", nargs="+")
    p.add_argument("--base", default="INN")
    p.add_argument("--other", default="Starcon")
    a = p.parse_args()
    recs = []
    for fno, path in enumerate(a.files):
        with open(path) as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    r["_file"] = fno
                    recs.append(r)

    loads = [r for r in recs if r.get("kind") == "load"]
    if loads:
        print("| server | load method | conns | articles | groups | avg bytes | seconds | articles/s | errors |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
        for r in loads:
            print(f"| {r['label']} | {r['method']} | {r['connections']} | {r['articles_ok']} | {r['groups']} | "
                  f"{r['avg_article_bytes']} | {r['elapsed_s']:.1f} | {r['articles_per_s']:.0f} | {r['errors']} |")
        print()

    runs: dict[tuple[str, str], dict[tuple[int, int], dict]] = {}
    for r in recs:
        if r.get("kind") == "run":
            runs.setdefault((r["scenario"], r["label"]), {})[(r["_file"], r["run"])] = r
    scenarios = sorted({s for s, _ in runs}, key=lambda s: ORDER.get(s, 9))
    if not scenarios:
        return
    conns = sorted({r["connections"] for d in runs.values() for r in d.values()})
    n = max(len(d) for d in runs.values())
    files = len(a.files)
    B, O = a.base, a.other
    print(f"{conns[0] if len(conns) == 1 else conns} connections; medians of {n} runs"
          + (f" from {files} result files" if files > 1 else "") + " (min–max); "
          f"ratio = {O} ops/s ÷ {B} ops/s of runs made back to back (> 1: {O} faster)\n")
    print(f"| scenario | {O} ops/s | {O} p99 ms | {B} ops/s | {B} p99 ms | ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    for sc in scenarios:
        o, b = runs.get((sc, O), {}), runs.get((sc, B), {})
        cells = []
        for d in (o, b):
            rps = [r["rps"] for r in d.values()]
            p99 = [r["p99_ms"] for r in d.values()]
            cells.append(f"{med(rps):.0f}{spread(rps)}" if rps else "n/a")
            cells.append(f"{med(p99):.1f}{spread(p99, '{:.1f}')}" if p99 else "n/a")
        ratios = [o[i]["rps"] / b[i]["rps"] for i in o if i in b and b[i]["rps"]]
        rc = f"{med(ratios):.2f}{spread(ratios, '{:.2f}')}" if ratios else "n/a"
        print(f"| {NAMES.get(sc, sc)} | " + " | ".join(cells) + f" | {rc} |")

    mixed = (runs.get(("mixed", O), {}), runs.get(("mixed", B), {}))
    if any(mixed):
        print(f"\nMixed load, per operation (medians over runs, min–max): p50 and p99 ms; ops/s of that operation\n")
        print(f"| operation | {O} ops/s | {O} p50 | {O} p99 | {B} ops/s | {B} p50 | {B} p99 | p99 {O} ÷ {B} |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for op in MIXED_OPS:
            cells, p99s = [], []
            for d in mixed:
                vs = [r["ops"][op] for r in d.values() if "ops" in r]
                cells += [f"{med([v['rps'] for v in vs]):.0f}" if vs else "n/a",
                          f"{med([v['p50_ms'] for v in vs]):.1f}{spread([v['p50_ms'] for v in vs], '{:.1f}')}" if vs else "n/a",
                          f"{med([v['p99_ms'] for v in vs]):.1f}{spread([v['p99_ms'] for v in vs], '{:.1f}')}" if vs else "n/a"]
                p99s.append(med([v["p99_ms"] for v in vs]) if vs else None)
            ratio = f"{p99s[0] / p99s[1]:.2f}" if None not in p99s and p99s[1] else "n/a"
            print(f"| {op.upper()} | " + " | ".join(cells) + f" | {ratio} |")

    print()
    print("| scenario | server | p50 ms | requests | errors | server CPU ms/request | machine CPU busy % | machine busy before run % (max) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for sc in scenarios:
        for lab in (O, B):
            d = runs.get((sc, lab), {})
            if not d:
                continue
            rs = list(d.values())
            cpu = med(r.get("server_cpu_ms_per_req") for r in rs)
            print(f"| {sc} | {lab} | {med(r['p50_ms'] for r in rs):.1f} | {sum(r['requests'] for r in rs)} | "
                  f"{sum(r['errors'] for r in rs)} | " + (f"{cpu:.3f}" if cpu is not None else "n/a")
                  + f" | {med(r['machine_cpu_busy_pct'] for r in rs):.0f} | "
                  f"{max(r['background_cpu_busy_pct'] for r in rs):.0f} |")


if __name__ == "__main__":
    main()
