"""Run every fuzz target for a bounded time; exit 1 when one of them finds a crash.

    python fuzz/run.py --seconds 120            # all targets, 120 s in total (what `make test` runs)
    python fuzz/run.py --seconds 600 --target pdf
    python fuzz/run.py --seconds 3600 --update-corpus   # keep new interesting inputs in fuzz/corpus

A crash is an exception other than the project's ``ParseError`` for bad input, an input that takes
longer than ``--timeout`` seconds, or a process above ``--rss-limit-mb``. The input that caused it is
saved under ``fuzz/crashes/`` (``<target>-crash-*``, ``-timeout-*``, ``-oom-*``) with the fuzzer's log
next to it; replay it with ``python fuzz/harness.py TARGET FILE``.

New interesting inputs go to a temporary folder and are dropped, unless ``--update-corpus`` is given:
the committed corpus changes only by a deliberate run, never as a side effect of CI.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
ROOT = FUZZ.parent
CORPUS = FUZZ / "corpus"
CRASHES = FUZZ / "crashes"
TARGETS = ("pdf", "docx", "html", "zip")
_RUNS_RE = re.compile(r"Done (\d+) runs in (\d+) second")
_COVERAGE_RE = re.compile(r"#\d+\s+\w+\s+cov: (\d+)")


@dataclass(frozen=True)
class TargetResult:
    target: str
    exit_code: int
    runs: int | None
    coverage: int | None
    seconds: float
    artifacts: tuple[Path, ...]
    log: Path | None

    @property
    def crashed(self) -> bool:
        return self.exit_code != 0 or bool(self.artifacts)


def _fuzzer_command(
    target: str, seconds: int, timeout: int, rss_limit_mb: int, new_inputs: Path, seed: int | None, runs: int | None
) -> list[str]:
    return [
        sys.executable,
        str(FUZZ / "harness.py"),
        target,
        *([f"-seed={seed}"] if seed is not None else []),
        *([f"-runs={runs}"] if runs is not None else []),
        f"-max_total_time={seconds}",
        f"-timeout={timeout}",
        f"-rss_limit_mb={rss_limit_mb}",
        f"-artifact_prefix={CRASHES / target}-",
        "-print_final_stats=1",
        str(new_inputs),
        str(CORPUS / target),
    ]


def run_target(
    target: str,
    seconds: int,
    timeout: int,
    rss_limit_mb: int,
    update_corpus: bool,
    seed: int | None = None,
    runs: int | None = None,
) -> TargetResult:
    """One fuzzer process for ``target``; libFuzzer itself enforces the time, per-input timeout and memory."""
    CRASHES.mkdir(exist_ok=True)
    before = set(CRASHES.glob(f"{target}-*"))
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"arkiv-fuzz-{target}-") as scratch:
        new_inputs = CORPUS / target if update_corpus else Path(scratch) / "new"
        new_inputs.mkdir(exist_ok=True)
        workdir = Path(scratch) / "work"
        workdir.mkdir()
        env = {**os.environ, "ARKIV_FUZZ_WORKDIR": str(workdir), "PYTHONPATH": str(ROOT)}
        command = _fuzzer_command(target, seconds, timeout, rss_limit_mb, new_inputs, seed, runs)
        try:
            proc = subprocess.run(
                command, cwd=ROOT, env=env, capture_output=True, text=True, errors="replace", timeout=seconds + 120
            )
            exit_code, output = proc.returncode, proc.stdout + proc.stderr
        except subprocess.TimeoutExpired as e:
            exit_code, output = -1, f"the fuzzer did not stop after {seconds + 120} s\n{e.stdout or ''}{e.stderr or ''}"
    artifacts = tuple(sorted(set(CRASHES.glob(f"{target}-*")) - before - set(CRASHES.glob("*.log"))))
    runs = _RUNS_RE.findall(output)
    coverage = _COVERAGE_RE.findall(output)
    log = None
    if exit_code != 0 or artifacts:
        log = CRASHES / f"{target}-{time.strftime('%Y%m%d-%H%M%S')}.log"
        log.write_text(output, encoding="utf-8")
    return TargetResult(
        target=target,
        exit_code=exit_code,
        runs=int(runs[-1][0]) if runs else None,
        coverage=int(coverage[-1]) if coverage else None,
        seconds=time.monotonic() - started,
        artifacts=artifacts,
        log=log,
    )


def _report(result: TargetResult) -> str:
    runs = f"{result.runs} inputs" if result.runs is not None else "? inputs"
    cov = f", coverage {result.coverage}" if result.coverage is not None else ""
    line = f"fuzz {result.target}: {runs} in {result.seconds:.0f} s{cov}"
    if not result.crashed:
        return line + ", no crash"
    saved = ", ".join(str(p.relative_to(ROOT)) for p in result.artifacts) or "no input saved"
    log = result.log.relative_to(ROOT) if result.log else "-"
    return f"{line}, CRASH (exit {result.exit_code}): {saved}; log {log}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=120, help="total fuzzing time, shared by the targets")
    parser.add_argument("--target", choices=TARGETS, action="append", help="only this target (repeatable)")
    parser.add_argument("--timeout", type=int, default=20, help="seconds one input may take")
    parser.add_argument("--rss-limit-mb", type=int, default=1024, help="memory limit of the fuzzer process")
    parser.add_argument("--update-corpus", action="store_true", help="write new interesting inputs to fuzz/corpus")
    parser.add_argument(
        "--seed", type=int, default=None, help="the fuzzer's random seed (repeatable runs, as in make test)"
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=None,
        help="inputs per target; with --seed, runs stay close to each other (not identical)",
    )
    args = parser.parse_args(argv)
    targets = args.target or list(TARGETS)
    each = max(args.seconds // len(targets), 1)
    crashed = False
    for target in targets:
        result = run_target(target, each, args.timeout, args.rss_limit_mb, args.update_corpus, args.seed, args.runs)
        print(_report(result), flush=True)
        crashed = crashed or result.crashed
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
