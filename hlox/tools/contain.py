"""Containment: a crash in MLIR or XLA becomes `file: error: ...` and exit 1, never a signal.

`module_checks` stops the inputs known to crash; what remains cannot be ruled out
beforehand (XLA's compiler aborts on inputs nobody has listed yet). So a tool's
command-line entry runs the whole command in a forked child: the parent only
waits, relays the child's stderr, and when the child dies by a signal it reports
what the child was doing (`stage`) as one diagnostic, exit status 1.

Forking and waiting cost about 9 ms (measured on 2 CPU cores, with numpy and jaxlib
imported) against 2.7 s for `hlox-run` of a small module, so containment is always
on rather than behind a risk heuristic. The fork happens before any PJRT client or
MLIR thread pool exists, so the child is an ordinary copy of the process. Only the
console entry points contain (`main(argv=None)`); `main([...])` called from
Python runs in-process, so tests and embedders see the ordinary behaviour.
`HLOX_CONTAIN=0` turns containment off (to debug a crash under gdb).
"""
from __future__ import annotations

import os
import re
import select
import signal
import sys

__all__ = ["run_contained", "stage"]

_STAGE_FD = None  # the child's end of the stage pipe, while contained

# What the child was doing, as the error says it: `stage(name, "compiling")`.
STAGES = {
    "reading": "crashed while reading the input",
    "parsing": "MLIR crashed while parsing the module",
    "checking": "crashed while checking the module",
    "passes": "a pass crashed",
    "printing": "MLIR crashed while printing the module",
    "compiling": "XLA crashed while compiling the module",
    "running": "XLA crashed while running the module",
    "writing": "crashed while writing the results",
}

# Lines of a C++ crash report (absl/glog fatal lines and their stack dump) that the parent drops.
_CRASH_NOISE = re.compile(rb"^(F\d{4} \d\d:\d\d:\d\d\.\d+ |\*\*\* (Check failure|SIGSEGV|SIGABRT)|\s+@\s+0x"
                          rb"|PC: @ )")


def stage(file: str, what: str) -> None:
    """Record that the command now does `what` (a key of STAGES) on `file`."""
    if _STAGE_FD is not None:
        try:
            os.write(_STAGE_FD, f"{file}\t{what}\n".encode())
        except OSError:
            pass


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _child(main, stage_w: int, err_w: int) -> None:
    global _STAGE_FD
    _STAGE_FD = stage_w
    os.dup2(err_w, 2)
    os.close(err_w)
    rc = 1
    try:
        rc = main()
    except SystemExit as e:
        rc = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        if not isinstance(e.code, (int, type(None))):
            print(e.code, file=sys.stderr)
    except BaseException:  # noqa: BLE001 - the child must always reach os._exit
        import traceback
        traceback.print_exc()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(rc)


def _relay(stage_r: int, err_r: int) -> tuple[list, list]:
    """Copy the child's stderr to ours line by line (minus C++ crash dumps); collect stage lines."""
    stages, pending, dropped, open_fds = [b""], b"", [], {stage_r, err_r}
    while open_fds:
        ready, _, _ = select.select(list(open_fds), [], [])
        for fd in ready:
            data = os.read(fd, 65536)
            if not data:
                open_fds.discard(fd)
                continue
            if fd == stage_r:
                stages[-1] += data
                *done, stages[-1] = stages[-1].split(b"\n")
                stages[-1:-1] = done
                continue
            pending += data
            *lines, pending = pending.split(b"\n")
            _write_err([line + b"\n" for line in lines], dropped)
    _write_err([pending] if pending else [], dropped)
    return [s for s in stages if s], dropped


def _write_err(lines, dropped) -> None:
    for line in lines:
        if dropped or _CRASH_NOISE.match(line):
            dropped.append(line)  # once a crash dump starts, the rest of it goes too
            continue
        try:
            os.write(2, line)
        except OSError:
            pass


def run_contained(main, prog: str) -> int:
    """`main()` in a forked child; its exit status, or 1 with a diagnostic when it dies by a signal."""
    if not hasattr(os, "fork") or os.environ.get("HLOX_CONTAIN", "1") == "0":
        return main()
    sys.stdout.flush()
    sys.stderr.flush()
    stage_r, stage_w = os.pipe()
    err_r, err_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(stage_r)
        os.close(err_r)
        _child(main, stage_w, err_w)
    os.close(stage_w)
    os.close(err_w)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the child; it decides
    try:
        stages, _ = _relay(stage_r, err_r)
        _, status = os.waitpid(pid, 0)
    finally:
        signal.signal(signal.SIGINT, previous)
        os.close(stage_r)
        os.close(err_r)
    if os.WIFEXITED(status):
        return os.WEXITSTATUS(status)
    number = os.WTERMSIG(status)
    if number == signal.SIGINT:
        return 130
    file, what = (stages[-1].decode(errors="replace").split("\t", 1) + [""])[:2] if stages else (prog, "")
    message = STAGES.get(what, "crashed")
    print(f"{file}: error: {message} (signal {number}, {_signal_name(number)})", file=sys.stderr)
    return 1
