#!/usr/bin/env python3
"""Renders the mutant table from ci/mutants.sh's run directory.

Usage: mutant_table.py RUN_DIR CATALOGUE_JSON
CATALOGUE_JSON is `tlsm mutants --json` (the catalogue). Reads RUN_DIR/runs.txt ("name exit seconds"), RUN_DIR/<name>/*.failure.json
(tlsm failure artifacts) and RUN_DIR/props.txt (optional), prints the table
and writes RUN_DIR/table.md and RUN_DIR/table.json.
"""
import glob
import json
import os
import statistics
import sys


def main():
    run_dir, catalogue = sys.argv[1], sys.argv[2]
    defs = {m["name"]: m for m in json.load(open(catalogue))}
    props = {}
    if os.path.exists(os.path.join(run_dir, "props.txt")):
        for line in open(os.path.join(run_dir, "props.txt")):
            name, rc = line.split()
            props[name] = "caught" if rc != "0" else "missed"
    rows = []
    for line in open(os.path.join(run_dir, "runs.txt")):
        name, rc, secs = line.split()
        caught = []
        tokens = []
        for f in sorted(glob.glob(os.path.join(run_dir, name, "*.failure.json"))):
            a = json.load(open(f))
            caught.append(f'{a["scenario"]} ({a["search"]}, {a["invariant"]})')
            tokens.append(a["token"])
        rows.append(dict(mutant=name, number=defs.get(name, {}).get("number"),
                         invariant=defs.get(name, {}).get("invariant", "?"),
                         caught=rc == "0", caught_by=caught, seconds=float(secs),
                         token=tokens[0] if tokens else "", property=props.get(name, "")))
    rows.sort(key=lambda r: r["number"] or 0)
    md = ["| # | mutant | invariant | caught by | detection (s) | replay token |",
          "| --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        by = "; ".join(r["caught_by"]) if r["caught"] else "**NOT CAUGHT**"
        if r["property"]:
            by += f"; properties: {r['property']}"
        tok = f'`{r["token"][:40]}…`' if r["token"] else ""
        md.append(f'| {r["number"]} | `{r["mutant"]}` | {r["invariant"]} | {by} | {r["seconds"]:.2f} | {tok} |')
    times = [r["seconds"] for r in rows if r["caught"]]
    caught = sum(r["caught"] for r in rows)
    md.append("")
    md.append(f"kill rate: {caught}/{len(rows)}"
              + (f"; detection time median {statistics.median(times):.2f} s, max {max(times):.2f} s"
                 " (wall clock of `tlsm check --expect-bug --no-minimise`, incl. process start)"
                 if times else ""))
    text = "\n".join(md)
    print(text)
    open(os.path.join(run_dir, "table.md"), "w").write(text + "\n")
    json.dump(rows, open(os.path.join(run_dir, "table.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
