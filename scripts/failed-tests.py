#!/usr/bin/env python3
"""Print the tests that failed in a swift-testing log, with the issues they recorded.

scripts/test.sh prints this last, after fuzzing, so that the end of the output (all that a
CI page may keep) names what failed and where, not only the count. Known issues
(withKnownIssue) are not failures and are left out."""
import re
import sys

path = sys.argv[1] if len(sys.argv) > 1 else ".build/last-test.log"
try:
    lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
except OSError as error:
    print(f"test: no log to summarise ({error})")
    sys.exit(0)

issue = re.compile(r"^✘ Test (.+?) recorded an issue(.*)$")
failed = re.compile(r"^✘ Test (.+?) failed after ([0-9.]+) seconds")
issues, failures = [], []
for line in lines:
    if issue.match(line):
        issues.append(line if len(line) <= 600 else line[:600] + " …")
    elif failed.match(line) or line.startswith(("✘ Test run", "✔ Test run")):
        failures.append(line)

if not issues and not any(l.startswith("✘") for l in failures):
    print("test: no test failed")
    sys.exit(0)
print("test: what failed (from %s):" % path)
for line in issues:
    print("  " + line)
for line in failures:
    print("  " + line)
