#!/usr/bin/env python3
"""From swift test's JUnit report (--xunit-output), the `--filter` pattern that selects the
tests that failed, one per line of output; nothing (exit 1) when the report is missing or
unreadable, when no test failed, or when more than MAX failed (then it is not flakiness).

scripts/test.sh runs the tests named here once more, alone, after a failed suite: see there."""
import re
import sys
import xml.etree.ElementTree as ElementTree

MAX = 3
try:
    root = ElementTree.parse(sys.argv[1]).getroot()
except (OSError, ElementTree.ParseError, IndexError) as error:
    print(f"test: no JUnit report to read the failed tests from ({error})", file=sys.stderr)
    sys.exit(1)
failed = []
for case in root.iter("testcase"):
    if case.find("failure") is not None or case.find("error") is not None:
        # The report writes nested suites with dots (`CuepointTests.Integration.LivePublishTests`);
        # the test's id, which --filter matches, joins them with `/` after the module.
        module, *suites = case.get("classname", "").split(".")
        failed.append(module + "." + "/".join(suites + [case.get("name", "")]))
if not failed or len(failed) > MAX:
    print(f"test: {len(failed)} failed test(s) in the report; no second run", file=sys.stderr)
    sys.exit(1)
for name in failed:
    # --filter takes a regular expression over the id: `Module.Suite/Nested/function(labels:)`
    # (followed by more than the name, so no `$`; the `(` ends the name).
    print("^" + re.escape(name))
