#!/usr/bin/env python3
"""Lists the tests a Swift Testing log shows as started and never finished.

    unfinished-tests.py LOG

scripts/test.sh calls it when the suite outlives CUEPOINT_TEST_TIMEOUT, so a hang names the
tests it is in instead of running into CI's own limit without a word.
"""
import re
import sys

started = re.compile(r"^◇ Test (?!case )(?!run started)(.*) started\.$")
finished = re.compile(r"^\S+ Test (?!case )(.*?)(?: with \d+ test cases?)? (?:(?:passed|failed) after |skipped[:.])")

running = {}  # name -> the log lines where its unfinished runs started (names can repeat)
with open(sys.argv[1], "rb") as log:  # bytes: FFmpeg's progress lines hold bare \r
    for number, raw in enumerate(log, 1):
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if match := started.match(line):
            running.setdefault(match.group(1), []).append(number)
        elif (match := finished.match(line)) and running.get(match.group(1)):
            running[match.group(1)].pop(0)
left = sorted((number, name) for name, numbers in running.items() for number in numbers)
for number, name in left:
    print(f"  {name} (started at line {number} of the log)")
if not left:
    print("  (none: every started test finished; the hang is after the tests)")
