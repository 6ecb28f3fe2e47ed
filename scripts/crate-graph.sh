#!/usr/bin/env bash
# Prints the workspace's crate graph and fails if any crate depends on one at its own layer or
# above: the layering ARCHITECTURE.md describes, checked from `cargo metadata`.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo metadata --format-version 1 --no-deps --offline | python3 -c '
import json, sys
layer = {"quorum-core": 0, "quorum-service": 1, "quorum-raft": 2, "quorum-paxos": 2,
         "quorum-traffic": 2, "quorum-cluster": 3, "quorum-scenario": 4, "quorum-lab": 5}
meta = json.load(sys.stdin)
bad = []
for pkg in sorted(meta["packages"], key=lambda p: (layer.get(p["name"], 99), p["name"])):
    name = pkg["name"]
    if name not in layer:
        bad.append(f"{name} has no layer: add it to scripts/crate-graph.sh and ARCHITECTURE.md")
        continue
    deps = sorted({d["name"] for d in pkg["dependencies"]
                   if d["name"] in layer and d["kind"] is None})
    shown = ", ".join(deps) or "(nothing)"
    print(f"  layer {layer[name]}  {name:16} -> {shown}")
    bad += [f"{name} (layer {layer[name]}) depends on {d} (layer {layer[d]})"
            for d in deps if layer[d] >= layer[name]]
if bad:
    print("upward or sideways edges:", *bad, sep="\n  ")
    sys.exit(1)
print("crate graph: every edge points down")
'
