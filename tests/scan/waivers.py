"""Holds checkov's waivers to what .checkov.yaml says about them.

    python3 waivers.py [--names-may-be-absent] CHECKOV_CONFIG CHECKOV_JSON

CHECKOV_JSON is checkov's `-o json` report of a run WITHOUT the config's skip-check list. Every
`skip-check` entry of the config must be preceded by its comment block:

    # CKV_K8S_38 Ensure that Service Account Tokens are only mounted where necessary
    #   only: Deployment.travel-app.prometheus
    #   why: Prometheus discovers its scrape targets through the Kubernetes API ...
    - CKV_K8S_38

`only:` lists the checkov resource ids (Kind.namespace.name; `*` matches any characters) the
waiver may cover, `why:` gives the reason; either may go on over further comment lines. Prints
each check that failed, its objects and whether a waiver covers them, and exits 1 when a failure
is not waived, a waived check fails on an object its `only:` does not name, a waiver or one of
its names no longer matches any failure (remove it; --names-may-be-absent, for a stack other than
the one the waivers are written for, lets names match nothing), or an entry lacks `only:` or `why:`.
"""

import fnmatch
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ENTRY = re.compile(r"^\s*-\s*(CKV\w+)\s*$")


def read_waivers(config_text):
    """{check id: (patterns, reason)} from skip-check's entries and the comments above each."""
    waivers, problems, comments, in_skip = {}, [], [], False
    for line in config_text.splitlines():
        stripped = line.strip()
        if re.match(r"^[\w-]+:", line):
            in_skip = line.startswith("skip-check:")
            comments = []
        elif stripped.startswith("#"):
            comments.append(stripped.lstrip("#").strip())
        elif in_skip and ENTRY.match(line):
            check = ENTRY.match(line).group(1)
            only, why, key = [], [], None
            for comment in comments:
                if comment.startswith("only:"):
                    key = "only"
                    only += comment[len("only:"):].replace(",", " ").split()
                elif comment.startswith("why:"):
                    key = "why"
                    why.append(comment[len("why:"):].strip())
                elif key == "only" and comment:
                    only += comment.replace(",", " ").split()
                elif key == "why" and comment:
                    why.append(comment)
            if not only:
                problems.append(f"{check}: its comment names no object (`#   only: Kind.namespace.name ...`)")
            if not " ".join(why).strip():
                problems.append(f"{check}: its comment gives no reason (`#   why: ...`)")
            waivers[check] = (only, " ".join(why))
            comments = []
        elif stripped:
            comments = []
    return waivers, problems


def failures(report):
    """{check id: (title, [resource ids])} of every failed check in checkov's JSON report."""
    found = defaultdict(lambda: ["", []])
    for framework in report if isinstance(report, list) else [report]:
        for failed in framework.get("results", {}).get("failed_checks", []):
            entry = found[failed["check_id"]]
            entry[0] = failed.get("check_name", "")
            entry[1].append(failed["resource"])
    return {check: (title, sorted(set(resources))) for check, (title, resources) in found.items()}


def judge(waivers, failed, names_may_be_absent=False):
    """The lines to print and the problems that fail the scan. With names_may_be_absent (a stack
    other than the one the waivers were written for), a name matching no failure is not one."""
    lines, problems = [], []
    for check, (title, resources) in sorted(failed.items()):
        patterns, _ = waivers.get(check, ([], ""))
        for resource in resources:
            if check not in waivers:
                verdict = "NOT WAIVED"
                problems.append(f"{check} ({title}) fails on {resource}: fix it, or waive it in .checkov.yaml with a reason")
            elif any(fnmatch.fnmatchcase(resource, p) for p in patterns):
                verdict = "waived"
            else:
                verdict = "OUTSIDE ITS WAIVER"
                problems.append(f"{check} is waived only for {' '.join(patterns)}, but also fails on {resource}:"
                                " fix it, or extend the waiver's `only:` with a reason that covers it")
            lines.append(f"  {verdict:18} {check:11} {resource}  ({title})")
    for check, (patterns, _) in sorted(waivers.items()):
        if check not in failed:
            problems.append(f"{check} is waived but fails nowhere: remove the waiver from .checkov.yaml")
            continue
        for pattern in [] if names_may_be_absent else patterns:
            if not any(fnmatch.fnmatchcase(r, pattern) for r in failed[check][1]):
                problems.append(f"{check}'s waiver names {pattern}, on which it no longer fails: remove that name")
    return lines, problems


def main(config_path, report_path, names_may_be_absent=False):
    waivers, problems = read_waivers(Path(config_path).read_text())
    report = json.loads(Path(report_path).read_text())
    failed = failures(report)
    lines, judged = judge(waivers, failed, names_may_be_absent)
    problems += judged
    summaries = [f.get("summary", {}) for f in (report if isinstance(report, list) else [report])]
    passed = sum(s.get("passed", 0) for s in summaries)
    print(f"checkov without waivers: {passed} passed, {sum(len(r) for _, r in failed.values())} failed"
          f" ({len(failed)} distinct checks); {len(waivers)} waivers in {config_path}")
    print("\n".join(lines))
    for problem in problems:
        print(f"  PROBLEM: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--names-may-be-absent"]
    if len(args) != 2:
        sys.exit(__doc__)
    sys.exit(main(args[0], args[1], "--names-may-be-absent" in sys.argv))
