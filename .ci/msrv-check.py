#!/usr/bin/env python3
"""Check that Cargo.toml's `rust-version` is at least what the locked dependencies declare.

Reads `cargo metadata --locked` (no build, no second toolchain) and compares the package's
`rust-version` with the highest `rust-version` field among the locked crates. This catches a
dependency update that raises the minimum without Cargo.toml (and the README) saying so. It does
not prove that kitgen's own code compiles on that version: only a build with that toolchain would.
"""
import json
import subprocess
import sys


def parse(v):
    return tuple(int(x) for x in v.split("."))


def main():
    out = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--locked"],
        check=True, capture_output=True, text=True,
    ).stdout
    meta = json.loads(out)
    members = set(meta["workspace_members"])
    own = [p for p in meta["packages"] if p["id"] in members]
    deps = [p for p in meta["packages"] if p["id"] not in members and p.get("rust_version")]
    need = max(deps, key=lambda p: parse(p["rust_version"]))
    ok = True
    for p in own:
        declared = p.get("rust_version")
        if declared is None:
            print(f"{p['name']}: no rust-version in Cargo.toml (the locked crates need {need['rust_version']})")
            ok = False
        elif parse(declared) < parse(need["rust_version"]):
            print(f"{p['name']}: rust-version {declared} is lower than {need['rust_version']}, "
                  f"which {need['name']} {need['version']} needs; raise it in Cargo.toml and README.md")
            ok = False
        else:
            print(f"{p['name']}: rust-version {declared} >= {need['rust_version']} "
                  f"(highest among locked crates: {need['name']} {need['version']})")
    readme = open("README.md", encoding="utf-8").read()
    for p in own:
        v = p.get("rust_version")
        if v and f"Rust {v}" not in readme:
            print(f"README.md does not say `Rust {v}` (Cargo.toml's rust-version)")
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
