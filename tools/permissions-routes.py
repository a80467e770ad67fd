#!/usr/bin/env python3
"""Keeps the route table of docs/permissions.md in step with src/site/site.c.

Prints, as table rows ready to paste under "## Routes", every route of the
route table in src/site/site.c that has no row in docs/permissions.md, and
every row whose `needs` differs from the code (marked "changed"). Rows of
the document that are no longer routes are reported on standard error.
Exits 1 when anything is missing, changed or stale, 0 when the table is
complete, so it can guard a commit as tests/unit/test_access.c guards the
build.

    tools/permissions-routes.py          the missing and changed rows
    tools/permissions-routes.py --all    the whole table, in the code's order

`needs` is derived as the code decides it (see enum access in site.c): the
op of NEEDS(ACCESS_X) in lower case; else `open` for OPEN and API_OPEN,
`signed_in` for STAFF_CODE, and `staff` for every other signed-in access.
"""
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SITE = os.path.join(TOP, "src", "site", "site.c")
DOC = os.path.join(TOP, "docs", "permissions.md")

ROUTE = re.compile(r'\{HTTP_(GET|POST), "([^"]+)", \w+, ([^}]+)\}')
ROW = re.compile(r"^\| (GET|POST) \| `([^`]+)` \| (\w+) \|$")


def code_routes():
    """The (method, path, needs) of every route in site.c's table, in order."""
    with open(SITE, encoding="utf-8") as f:
        text = f.read()
    start = text.index("static const struct route routes[]")
    block = text[start:text.index("};", start)]
    routes = []
    for method, path, flags in ROUTE.findall(block):
        op = re.search(r"NEEDS\(ACCESS_(\w+)\)", flags)
        kind = flags.split("|")[0].strip()
        if op:
            needs = op.group(1).lower()
        elif kind in ("OPEN", "API_OPEN"):
            needs = "open"
        elif kind == "STAFF_CODE":
            needs = "signed_in"
        else:
            needs = "staff"
        routes.append((method, path, needs))
    return routes


def doc_rows():
    """{(method, path): needs} of the rows under "## Routes"."""
    rows = {}
    inside = False
    with open(DOC, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("## "):
                inside = line == "## Routes"
                continue
            m = ROW.match(line) if inside else None
            if m:
                rows[(m.group(1), m.group(2))] = m.group(3)
    return rows


def row(method, path, needs):
    return f"| {method} | `{path}` | {needs} |"


def main(argv):
    routes = code_routes()
    if argv[1:] == ["--all"]:
        print("| method | route | needs |\n|---|---|---|")
        for r in routes:
            print(row(*r))
        return 0
    if argv[1:]:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    documented = doc_rows()
    status = 0
    for method, path, needs in routes:
        have = documented.get((method, path))
        if have is None:
            print(row(method, path, needs))
            status = 1
        elif have != needs:
            print(row(method, path, needs) + "  <- changed: the document says " + have)
            status = 1
    known = {(m, p) for m, p, _ in routes}
    for method, path in documented:
        if (method, path) not in known:
            print(f"docs/permissions.md: {method} {path} is no route", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
