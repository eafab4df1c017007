#!/usr/bin/env python3
"""Print the Markdown tables of one or more results.jsonl files written by
load.py --jsonl and bench.py --jsonl (all servers in one table).

    report.py results.jsonl [more.jsonl ...]
"""
from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import md_header, md_row  # noqa: E402


def main() -> None:
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    recs = []
    for path in sys.argv[1:]:
        with open(path) as f:
            recs += [json.loads(line) for line in f if line.strip()]
    loads = [r for r in recs if r.get("kind") == "load"]
    if loads:
        print("| server | load method | conns | articles | groups | avg bytes | seconds | articles/s | errors |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
        for r in loads:
            print(f"| {r['label']} | {r['method']} | {r['connections']} | {r['articles_ok']} | {r['groups']} | "
                  f"{r['avg_article_bytes']} | {r['elapsed_s']:.1f} | {r['articles_per_s']:.0f} | {r['errors']} |")
        print()
    sums = [r for r in recs if r.get("kind") == "summary"]
    order = {"over": 0, "article": 1, "post": 2}
    sums.sort(key=lambda r: (order.get(r["scenario"], 9), r["label"]))
    print(md_header())
    for r in sums:
        print(md_row(r))


if __name__ == "__main__":
    main()
