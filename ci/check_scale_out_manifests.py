#!/usr/bin/python3
"""Checks the shipped scale-out manifests (ctest label `distributed`).

  ci/check_scale_out_manifests.py REPO TLSM

.github/workflows/model-check-shards.yml (GitHub Actions) and
deploy/kubernetes/model-check-{shards,merge}.yaml (an Indexed Job and its
merge Job) must parse as YAML and have the shape the docs describe (a shard
matrix 0..N-1 or N indexed completions, a merge step that runs after every
shard whatever they found). Then the commands they run are run for real,
with this build's tlsm, on the harness's self-test scenario instead of the
whole catalogue: every shard's `tlsm check` as the engine would run it
(matrix value / JOB_COMPLETION_INDEX substituted by the shell), then the
merge. The merged summary must say `verified` for the tree search.
"""
import json
import os
import subprocess
import sys
import tempfile

import yaml


def fail(msg):
    print(f"check_scale_out_manifests: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def run(cmd, cwd, env, expect=(0,)):
    p = subprocess.run(["/bin/bash", "-c", cmd], cwd=cwd, env=env, capture_output=True, text=True)
    if p.returncode not in expect:
        fail(f"`{cmd}` exited {p.returncode}:\n{p.stdout}{p.stderr}")
    return p


def check_merged(results_dir, what):
    path = os.path.join(results_dir, "summary.json")
    if not os.path.exists(path):
        fail(f"{what}: the merge wrote no {path}")
    rows = json.load(open(path))["rows"]
    if not rows or any(r["verdict"] != "verified" for r in rows):
        fail(f"{what}: merged rows are not verified: {[r['result'] for r in rows]}")
    print(f"  {what}: merged {len(rows)} row(s): {', '.join(r['result'] for r in rows)}")


def github_actions(repo, tlsm):
    path = os.path.join(repo, ".github/workflows/model-check-shards.yml")
    wf = yaml.safe_load(open(path))
    jobs = wf["jobs"]
    shards = int(wf["env"]["SHARDS"])
    matrix = jobs["shard"]["strategy"]["matrix"]["shard"]
    if matrix != list(range(shards)):
        fail(f"{path}: matrix.shard {matrix} is not 0..SHARDS-1 (SHARDS={shards})")
    if jobs["shard"]["strategy"].get("fail-fast", True):
        fail(f"{path}: the shard matrix must not fail fast (a bug in one shard stops the others)")
    merge = jobs["merge"]
    if merge.get("needs") != "shard" or merge.get("if") != "always()":
        fail(f"{path}: the merge job must need the shard job and run if: always()")
    check = [s["run"] for s in jobs["shard"]["steps"] if "tlsm check" in s.get("run", "")]
    merges = [s["run"] for s in merge["steps"] if "tlsm merge" in s.get("run", "")]
    if len(check) != 1 or len(merges) != 1:
        fail(f"{path}: expected one `tlsm check` step in shard and one `tlsm merge` step in merge")
    with tempfile.TemporaryDirectory() as work:
        os.symlink(tlsm, os.path.join(work, "tlsm"))
        env = dict(os.environ, SHARDS=str(shards), SCENARIOS="selftest.ok",
                   SEARCH=wf["env"]["SEARCH"])
        for i in range(shards):
            # Each shard job has its own workspace; the merge job downloads
            # every shard's artifact into shards/results-shard-I/.
            ws = os.path.join(work, f"job-{i}")
            os.makedirs(ws)
            os.symlink(tlsm, os.path.join(ws, "tlsm"))
            run(check[0].replace("${{ matrix.shard }}", str(i)), ws, env)
            os.makedirs(os.path.join(work, "shards"), exist_ok=True)
            os.rename(os.path.join(ws, "results"),
                      os.path.join(work, "shards", f"results-shard-{i}"))
        run(merges[0], work, env)
        check_merged(os.path.join(work, "merged"), "GitHub Actions")


def kubernetes(repo, tlsm):
    shards_path = os.path.join(repo, "deploy/kubernetes/model-check-shards.yaml")
    merge_path = os.path.join(repo, "deploy/kubernetes/model-check-merge.yaml")
    docs = [d for d in yaml.safe_load_all(open(shards_path)) if d]
    job = next(d for d in docs if d["kind"] == "Job")
    spec = job["spec"]
    if spec.get("completionMode") != "Indexed":
        fail(f"{shards_path}: the Job must be an Indexed Job")
    container = spec["template"]["spec"]["containers"][0]
    env = {e["name"]: e["value"] for e in container["env"]}
    if int(env["SHARDS"]) != spec["completions"]:
        fail(f"{shards_path}: SHARDS={env['SHARDS']} but completions={spec['completions']}")
    if container["command"] != ["/bin/sh", "-c"] or len(container["args"]) != 1:
        fail(f"{shards_path}: expected command /bin/sh -c with one script")
    mount = container["volumeMounts"][0]["mountPath"]
    merge_job = next(d for d in yaml.safe_load_all(open(merge_path)) if d and d["kind"] == "Job")
    merge_container = merge_job["spec"]["template"]["spec"]["containers"][0]
    with tempfile.TemporaryDirectory() as work:
        bindir = os.path.join(work, "bin")
        os.makedirs(bindir)
        os.symlink(tlsm, os.path.join(bindir, "tlsm"))
        results = os.path.join(work, "results")
        os.makedirs(results)
        base = dict(os.environ, PATH=bindir + ":" + os.environ["PATH"])
        base.update(env)
        base["TLSM_SCENARIOS"] = "selftest.ok"
        script = container["args"][0].replace(mount, results)
        for i in range(spec["completions"]):
            run(script, work, dict(base, JOB_COMPLETION_INDEX=str(i)))
        run(merge_container["args"][0].replace(mount, results), work, base)
        check_merged(os.path.join(results, "merged"), "Kubernetes Indexed Job")


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    repo, tlsm = sys.argv[1], os.path.realpath(sys.argv[2])
    github_actions(repo, tlsm)
    kubernetes(repo, tlsm)
    print("check_scale_out_manifests: ok")


if __name__ == "__main__":
    main()
