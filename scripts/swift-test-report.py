#!/usr/bin/env python3
"""Summarises a `swift test` log (Swift Testing's output): the tests that started but never finished (what a
hang or a timeout leaves behind), the issues recorded, and the slowest tests.
Usage: swift-test-report.py LOG, or swift-test-report.py --unfinished LOG for the unfinished names alone, one per line."""
import re
import sys

only_unfinished = sys.argv[1] == "--unfinished"
started, finished, slow = {}, set(), []
issues = []
for line in open(sys.argv[-1], encoding="utf-8", errors="replace"):
    line = line.rstrip("\n")
    if m := re.match(r"^. Test (\S+\(.*?\)) started\.", line):
        started.setdefault(m.group(1), len(started))
    elif m := re.match(r"^. Test (\S+\(.*?\))(?: with \d+ test cases?)? (?:passed|failed) after ([0-9.]+) seconds", line):
        finished.add(m.group(1))
        slow.append((float(m.group(2)), m.group(1)))
    elif "recorded an issue" in line or line.startswith("Fatal error") or "error:" in line:
        issues.append(line)

unfinished = [name for name in sorted(started, key=started.get) if name not in finished]
if only_unfinished:
    # As `swift test --filter` patterns: the function's base name.
    print("\n".join(sorted({name.split("(")[0] for name in unfinished})))
    sys.exit(0)
if unfinished:
    print(f"== {len(unfinished)} Swift tests started and never finished (hung, or the run was stopped):")
    for name in unfinished:
        print("   ", name)
if issues:
    print(f"== {len(issues)} issues recorded:")
    for line in issues[:60]:
        print("   ", line[:400])
print("== slowest Swift tests:")
for seconds, name in sorted(slow, reverse=True)[:8]:
    print(f"    {seconds:7.1f} s  {name}")
