#!/usr/bin/env python3
"""Tables (medians, min-max) from run.sh's results.jsonl files."""
import json, statistics, sys
from collections import defaultdict
rows = [json.loads(l) for f in sys.argv[1:] for l in open(f) if l.strip()]
g = defaultdict(list)
for r in rows: g[r["label"]].append(r)
def s(xs, fmt="{:.0f}"):
    return f"{fmt.format(statistics.median(xs))} ({fmt.format(min(xs))}–{fmt.format(max(xs))})"
print("| run | req/s | p50 ms | p99 ms | errors/non-2xx |\n|---|---:|---:|---:|---:|")
for k in sorted(k for k in g if "@" in k):
    v = g[k]
    print(f"| {k} ×{len(v)} | {s([x['rps'] for x in v])} | {s([x['p50_ms'] for x in v], '{:.1f}')} | "
          f"{s([x['p99_ms'] for x in v], '{:.1f}')} | {sum(x['errors'] for x in v)}/{sum(x['non2xx'] for x in v)} |")
sizes = sorted({k.split("@")[1] for k in g if "@" in k}, key=int)
for n in sizes:
    h, z = g.get(f"home@{n}", []), g.get(f"healthz@{n}", [])
    if h and z:
        print(f"\nhome/healthz at {n}: {statistics.median(x['rps'] for x in h) / statistics.median(x['rps'] for x in z):.3f}")
for n in sizes:
    f, h, z = g.get(f"home-filters@{n}", []), g.get(f"home@{n}", []), g.get(f"healthz@{n}", [])
    if f and h and z:
        rps = statistics.median(x["rps"] for x in f)
        print(f"home with filters at {n}: {rps / statistics.median(x['rps'] for x in z):.3f} of healthz, "
              f"{rps / statistics.median(x['rps'] for x in h):.3f} of unfiltered home")
for n in sizes:
    p, z = g.get(f"home-paced@{n}", []), g.get(f"healthz@{n}", [])
    if p and z:
        rps = statistics.median(x["rps"] for x in p)
        print(f"home offered a quarter of healthz's rate at {n}: {rps:.0f} req/s done "
              f"({rps / statistics.median(x['rps'] for x in z):.3f} of healthz), p50 {statistics.median(x['p50_ms'] for x in p):.1f} ms, "
              f"p99 {statistics.median(x['p99_ms'] for x in p):.1f} ms")
if len(sizes) >= 2:
    a, b = g[f"home@{sizes[0]}"], g[f"home@{sizes[-1]}"]
    print(f"home p50 {sizes[-1]}/{sizes[0]}: {statistics.median(x['p50_ms'] for x in b) / statistics.median(x['p50_ms'] for x in a):.2f}; "
          f"req/s {sizes[0]}/{sizes[-1]}: {statistics.median(x['rps'] for x in a) / statistics.median(x['rps'] for x in b):.2f}")
    # The two sizes run minutes apart on a shared machine: each size's /healthz is the yardstick for its own phase.
    def share(n): return statistics.median(x["rps"] for x in g[f"home@{n}"]) / statistics.median(x["rps"] for x in g[f"healthz@{n}"])
    print(f"cost per request relative to /healthz, {sizes[-1]}/{sizes[0]}: {share(sizes[0]) / share(sizes[-1]):.2f}")
for k in ("post", "starcon-media", "imagemagick"):
    for r in g.get(k, []): print(f"\n{k}: " + json.dumps({a: (round(b, 2) if isinstance(b, float) else b) for a, b in r.items()}))
