#!/usr/bin/env bash
# The failure page of a real mutant, rendered by a headless Chromium: the
# DOM it builds has the condensed swimlane first, the failing step
# highlighted, each event's source line, and the full event list behind a
# toggle; the screenshot is written. No chromium is a failure, not a skip.
#
#   tests/cli/html_browser_test.sh TLSM WORKDIR
set -euo pipefail
tlsm="$1"
work="$2"
chromium="$(command -v chromium || true)"
if [[ -z "$chromium" ]]; then
  echo "html_browser_test: chromium is not installed (ci/install-deps.sh installs it)" >&2
  exit 1
fi
rm -rf "$work"
mkdir -p "$work/profile"
rc=0
"$tlsm" check sv.readers_vs_install --mutant sv_unref_not_deferred --no-determinism-check \
  --results "$work/results" >"$work/check.txt" 2>&1 || rc=$?
[[ $rc -eq 1 ]] || { echo "html_browser_test: check exited $rc, expected 1" >&2; cat "$work/check.txt" >&2; exit 1; }
rc=0
"$tlsm" replay "$work/results/sv.readers_vs_install.failure.json" --minimal --html "$work/page.html" \
  >"$work/replay.txt" 2>&1 || rc=$?
[[ $rc -eq 1 ]] || { echo "html_browser_test: replay exited $rc, expected 1" >&2; cat "$work/replay.txt" >&2; exit 1; }

flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
       --disable-background-networking --disable-component-update --disable-sync
       "--user-data-dir=$work/profile")
timeout 120 "$chromium" "${flags[@]}" --dump-dom "file://$work/page.html" >"$work/dom.html" 2>"$work/chromium.log"
timeout 120 "$chromium" "${flags[@]}" --window-size=1400,1000 --screenshot="$work/page.png" \
  "file://$work/page.html" >>"$work/chromium.log" 2>&1
[[ -s "$work/dom.html" ]] || { echo "html_browser_test: chromium dumped no DOM" >&2; cat "$work/chromium.log" >&2; exit 1; }
[[ $(stat -c %s "$work/page.png" 2>/dev/null || echo 0) -gt 10000 ]] ||
  { echo "html_browser_test: no screenshot" >&2; cat "$work/chromium.log" >&2; exit 1; }

/usr/bin/python3 - "$work/dom.html" <<'PY'
import re, sys
from html.parser import HTMLParser

class Dom(HTMLParser):
    """Element tree of the DOM Chromium serialised (void tags closed at once)."""
    VOID = {"meta", "input", "br", "img", "link", "hr"}
    def __init__(self):
        super().__init__()
        self.root = {"tag": "#root", "attrs": {}, "kids": [], "text": ""}
        self.stack = [self.root]
    def handle_starttag(self, tag, attrs):
        node = {"tag": tag, "attrs": dict(attrs), "kids": [], "text": ""}
        self.stack[-1]["kids"].append(node)
        if tag not in self.VOID:
            self.stack.append(node)
    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i]["tag"] == tag:
                del self.stack[i:]
                break
    def handle_data(self, data):
        self.stack[-1]["text"] += data

def walk(n):
    yield n
    for k in n["kids"]:
        yield from walk(k)

def text(n):
    return n["text"] + "".join(text(k) for k in n["kids"])

def classes(n):
    return n["attrs"].get("class", "").split()

dom = Dom()
dom.feed(open(sys.argv[1], encoding="utf-8").read())
errors = []
tables = [n for n in walk(dom.root) if n["tag"] == "table"]
condensed = next((n for n in walk(dom.root) if n["attrs"].get("id") == "condensed"), None)
full = next((n for n in walk(dom.root) if n["attrs"].get("id") == "full"), None)
if condensed is None or not tables:
    errors.append("no section#condensed or no table")
else:
    if tables[0] not in list(walk(condensed)):
        errors.append("the first table is not the condensed swimlane")
    fail = [n for n in walk(condensed) if n["tag"] == "tr" and "fail" in classes(n)
            and n["attrs"].get("id") == "fail"]
    if len(fail) != 1:
        errors.append("condensed view: %d highlighted failing rows, expected 1" % len(fail))
    elif "DATA RACE" not in text(fail[0]):
        errors.append("the highlighted row is not the failure: " + text(fail[0]))
    srcs = [text(n) for n in walk(condensed) if n["tag"] == "span" and "src" in classes(n)]
    if not srcs or not all(re.fullmatch(r"[\w/.]+\.(cc|h):\d+", s) for s in srcs):
        errors.append("condensed view: source lines missing or malformed: %r" % srcs[:5])
    calls = [text(n) for n in walk(condensed) if n["tag"] == "tr" and "call" in classes(n)]
    if not any("Acquire -> hit SuperVersion v1" in c for c in calls):
        errors.append("condensed view: no 'Acquire -> hit SuperVersion v1' call")
    if not any(n["tag"] == "tr" and "preempt" in classes(n) for n in walk(condensed)):
        errors.append("condensed view: no preemption row")
if full is None or full["tag"] != "details":
    errors.append("the full event list is not behind a <details id=full> toggle")
else:
    if "open" in full["attrs"]:
        errors.append("the full event list is open by default")
    if not any(n["tag"] == "table" for n in walk(full)):
        errors.append("no event table inside details#full")
    if not any(n["tag"] == "tr" and n["attrs"].get("id") == "fail-event" for n in walk(full)):
        errors.append("the full list does not mark the failing event")
    if not any(n["tag"] == "tr" and "seam" in classes(n) for n in walk(full)):
        errors.append("the full list has no (hidden) seam rows")
if errors:
    print("html_browser_test:\n  " + "\n  ".join(errors), file=sys.stderr)
    sys.exit(1)
print("html_browser_test: condensed swimlane first, failure highlighted, source lines, "
      "full list behind a toggle; screenshot written")
PY
