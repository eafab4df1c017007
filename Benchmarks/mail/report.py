#!/usr/bin/env python3
"""Prints the mail benchmark table from results.jsonl: medians over the runs, min-max, and the speed ratio
ours / theirs (theirs' time over ours for the IMAP rows, our rate over theirs for SMTP: above 1 is faster)."""
import json
import statistics
import sys

ROWS = [
    ("select_fetch", "SELECT + FETCH 1:* (ENVELOPE FLAGS)", "Dovecot"),
    ("body_fetch", "UID FETCH 1,000 BODY.PEEK[]", "Dovecot"),
    ("search_subject", "SEARCH SUBJECT word", "Dovecot"),
    ("search_text", "SEARCH TEXT word", "Dovecot"),
    ("search_cjk", "SEARCH TEXT Japanese word in a sentence", "Dovecot"),
    ("smtp", "SMTP submissions/s, 20 clients with AUTH", "Postfix"),
]


def main():
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    load = {r["label"]: r for r in rows if r["scenario"] == "append"}
    print("| Row | Starcon | Dovecot/Postfix | Speed ratio ours/theirs |")
    print("|---|---|---|---|")
    for scenario, title, theirs in ROWS:
        ours = [r for r in rows if r["scenario"] == scenario and r["label"] == "Starcon"]
        other = [r for r in rows if r["scenario"] == scenario and r["label"] == theirs]
        if not ours or not other:
            continue

        def cell(runs):
            wrong = "" if all(r["ok"] for r in runs) else " (WRONG RESULT)"
            if scenario == "smtp":
                rates = [float(r["detail"].split(", ")[1].split("/")[0]) for r in runs]
                return statistics.median(rates), f"{statistics.median(rates):.0f}/s ({min(rates):.0f}-{max(rates):.0f}){wrong}"
            ms = [r["seconds"] * 1000 for r in runs]
            return statistics.median(ms), f"{statistics.median(ms):.1f} ms ({min(ms):.1f}-{max(ms):.1f}){wrong}"

        (a, a_text), (b, b_text) = cell(ours), cell(other)
        ratio = a / b if scenario == "smtp" else b / a
        print(f"| {title} | {a_text} | {theirs} {b_text} | {ratio:.2f}x |")
    for label, r in sorted(load.items()):
        print(f"\nLoad ({label}): {r['detail']} over IMAP APPEND in {r['seconds']:.1f} s (both loaded at once; not a row)")


if __name__ == "__main__":
    main()
