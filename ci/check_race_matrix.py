#!/usr/bin/env python3
"""Keeps the race matrices of docs/invariants.md honest.

Usage: check_race_matrix.py <invariants.md> <repo root> <tlsm binary>

The "## Race matrices" section holds one table per subsystem; each row is
`| operations racing | interleaved by | checks |`. The second cell is either
one or more `scenario` names in backticks, "excluded by contract" (then the
third cell is `file: "sentence"`, a sentence of that header's contract), or
"missing". This script fails if
  - a named scenario is not registered (`tlsm list --json`),
  - a quoted contract sentence is not in the file it names,
  - a row is "missing" but not in KNOWN_GAPS (a new gap), or a known gap is
    no longer missing (delete it here),
  - a row's second cell is none of the three forms, or the section is gone.
"""
import json
import re
import subprocess
import sys
from pathlib import Path

# Rows (first cell, verbatim) that no scenario interleaves yet.
KNOWN_GAPS: set[str] = set()

SECTION = "## Race matrices"


def section_rows(text):
    """Yields (subsystem, cells) for every data row of the section's tables."""
    start = text.find("\n" + SECTION + "\n")
    if start < 0:
        raise SystemExit(f"no '{SECTION}' section")
    body = text[start + len(SECTION) + 2:]
    end = re.search(r"^## ", body, re.M)
    if end:
        body = body[: end.start()]
    subsystem = None
    for line in body.splitlines():
        if line.startswith("### "):
            subsystem = line[4:].strip()
            continue
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] == "operations racing" or set(cells[0]) <= set("- "):
            continue  # header or separator
        yield subsystem, cells


def normalise(s):
    """Comment text as one line: no `//` markers, single spaces."""
    s = re.sub(r"^\s*//\s?", "", s, flags=re.M)
    return " ".join(s.split())


def main():
    doc, root, tlsm = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    listed = json.loads(subprocess.run([tlsm, "list", "--json"], check=True,
                                       capture_output=True, text=True).stdout)
    scenarios = {s["name"] for s in listed}
    errors, missing, counts = [], set(), {"covered": 0, "excluded": 0, "missing": 0}
    rows = list(section_rows(doc.read_text()))
    if not rows:
        errors.append("the race matrices have no rows")
    for subsystem, cells in rows:
        where = f"[{subsystem}] {cells[0]}"
        if len(cells) != 3:
            errors.append(f"{where}: expected 3 cells, got {len(cells)}")
            continue
        how, checks = cells[1], cells[2]
        if how == "missing":
            counts["missing"] += 1
            missing.add(cells[0])
            if cells[0] not in KNOWN_GAPS:
                errors.append(f"{where}: a new gap (no scenario interleaves this pair)")
        elif how == "excluded by contract":
            counts["excluded"] += 1
            m = re.fullmatch(r'([\w./-]+): "(.+)"', checks)
            if not m:
                errors.append(f'{where}: expected `file: "contract sentence"`, got {checks!r}')
                continue
            path = root / m.group(1)
            if not path.is_file():
                errors.append(f"{where}: {m.group(1)} does not exist")
            elif normalise(m.group(2)) not in normalise(path.read_text()):
                errors.append(f"{where}: the quoted sentence is not in {m.group(1)}")
        else:
            names = re.findall(r"`([^`]+)`", how)
            if not names:
                errors.append(f"{where}: names no scenario, is not excluded, not missing")
                continue
            counts["covered"] += 1
            for n in names:
                if n not in scenarios:
                    errors.append(f"{where}: scenario {n} is not registered")
            if not re.search(r"[A-Z]+-[A-Z]+", checks):
                errors.append(f"{where}: names no invariant id")
    for gap in sorted(KNOWN_GAPS - missing):
        errors.append(f"known gap '{gap}' is no longer a missing row: remove it from KNOWN_GAPS")
    print(f"race matrices: {counts['covered']} pairs covered, {counts['excluded']} excluded "
          f"by contract, {counts['missing']} missing")
    for e in errors:
        print("error:", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
