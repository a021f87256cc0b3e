#!/usr/bin/env python3
"""Runs one command for the benchmarks and reports on it as JSON lines on stdout.

    ptyrun.py [--pty COLSxROWS | --pipe] [--expect ID=TEXT]... -- command args...

--pty (the default, 100x30): the command gets a real pseudo-terminal (stdin, stdout and stderr are
  its slave side), so Ink really renders; everything it prints is read (and discarded) at once.
--log FILE: also writes everything the command printed to FILE (for debugging a benchmark).
--pipe: stdin is /dev/null, stdout and stderr a pipe that is drained at once (like `| cat`).

Events (stdout, one JSON object a line):
  {"ev": "spawned", "pid": N}                        the command's pid (its own process, no shell)
  {"ev": "match", "id": ID, "t": seconds,            TEXT first appeared in the output, t after the spawn;
   "cpu": s, "main_run": s, "main_wait": s}          CPU used by then (all threads), and the main
                                                     thread's time running / waiting for a CPU
  {"ev": "exit", "t": seconds, "status": N, "signal": N|null, "bytes": N,
   "utime": s, "stime": s, "maxrss_kb": N}           from wait4(): the command's own rusage

Commands (stdin, one JSON object a line), so a driver can react to what it sees:
  {"op": "expect", "id": ID, "text": TEXT}           reports a match (also for text already seen)
  {"op": "send", "data": TEXT}                       types TEXT on the terminal (--pty only)
  {"op": "signal", "sig": N}                         sends signal N to the command
  {"op": "stats"}                                    answers {"ev": "stats", "bytes": N, "t": s}

Times are time.monotonic() deltas from just before the fork: the output is read as the command
writes it, so "first frame visible" is when its bytes reach the terminal, with no polling.
"""
import json
import os
import pty
import select
import signal
import struct
import sys
import termios
import fcntl
import time

KEEP = 64 * 1024  # how much recent output is kept for late expects and matches across reads


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def cpu_of(pid):
    """CPU so far: the process's utime+stime (all threads), and its main thread's time on a CPU
    and time waiting for one (run queue), from /proc/<pid>/task/<pid>/schedstat (nanoseconds)."""
    out = {}
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        tck = os.sysconf("SC_CLK_TCK")
        out["cpu"] = (int(fields[11]) + int(fields[12])) / tck
        with open(f"/proc/{pid}/task/{pid}/schedstat") as f:
            run_ns, wait_ns, _ = f.read().split()
        out["main_run"] = int(run_ns) / 1e9
        out["main_wait"] = int(wait_ns) / 1e9
    except (OSError, ValueError, IndexError):
        pass
    return out


def main():
    argv = sys.argv[1:]
    mode, cols, rows = "pty", 100, 30
    expects = {}
    log = None
    while argv and argv[0] != "--":
        a = argv.pop(0)
        if a == "--pty":
            cols, rows = (int(x) for x in argv.pop(0).split("x"))
        elif a == "--pipe":
            mode = "pipe"
        elif a == "--log":
            log = open(argv.pop(0), "wb")
        elif a == "--expect":
            k, _, v = argv.pop(0).partition("=")
            expects[k] = v.encode()
        else:
            sys.exit(f"ptyrun: unknown option {a}")
    if not argv:
        sys.exit("ptyrun: no command")
    cmd = argv[1:]

    # the command's exit wakes the select below at once (no polling delay on the exit time)
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)

    t0 = time.monotonic()
    if mode == "pty":
        pid, fd = pty.fork()
        if pid == 0:
            try:
                # the size is set before the exec, so the command reads it at its first look
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
                os.execvp(cmd[0], cmd)
            finally:
                os._exit(127)
    else:
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                devnull = os.open("/dev/null", os.O_RDONLY)
                os.dup2(devnull, 0)
                os.dup2(w, 1)
                os.dup2(w, 2)
                os.close(r)
                os.close(w)
                os.execvp(cmd[0], cmd)
            finally:
                os._exit(127)
        os.close(w)
        fd = r
    emit({"ev": "spawned", "pid": pid})

    seen = b""  # the last KEEP bytes of output
    total = 0
    stdin_open = True
    inbuf = b""  # commands: JSON lines, read as they come (several may arrive at once)
    out_open = True
    status = None

    def check_expects():
        for k in list(expects):
            if expects[k] in seen:
                t = time.monotonic() - t0
                emit({"ev": "match", "id": k, "t": t, **cpu_of(pid)})
                del expects[k]

    while True:
        fds = [wake_r] + ([fd] if out_open else []) + ([0] if stdin_open else [])
        ready, _, _ = select.select(fds, [], [], 0.5)
        if wake_r in ready:
            try:
                os.read(wake_r, 4096)
            except BlockingIOError:
                pass
        if fd in ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                out_open = False
            else:
                total += len(chunk)
                if log:
                    log.write(chunk)
                seen = (seen + chunk)[-KEEP:]
                if expects:
                    check_expects()
        if stdin_open and 0 in ready:
            data = os.read(0, 65536)
            if not data:
                stdin_open = False
            inbuf += data
            *lines, inbuf = inbuf.split(b"\n")
            for line in lines:
                if not line.strip():
                    continue
                c = json.loads(line)
                if c["op"] == "expect":
                    expects[c["id"]] = c["text"].encode()
                    check_expects()
                elif c["op"] == "send" and mode == "pty":
                    os.write(fd, c["data"].encode())
                elif c["op"] == "stats":
                    emit({"ev": "stats", "bytes": total, "t": time.monotonic() - t0})
                elif c["op"] == "signal":
                    try:
                        os.kill(pid, int(c["sig"]))
                    except ProcessLookupError:
                        pass
        if status is None:
            wpid, st, ru = os.wait4(pid, os.WNOHANG)
            if wpid == pid:
                status = (st, ru, time.monotonic() - t0)
            elif not out_open:
                # the output closed: the exit is a moment away
                wpid, st, ru = os.wait4(pid, 0)
                status = (st, ru, time.monotonic() - t0)
        # once the command has exited, read what it left and stop (a process it left behind
        # may hold the terminal or the pipe open: that is not waited for)
        if status is not None and (not out_open or not select.select([fd], [], [], 0)[0]):
            break

    if status is None:
        _, st, ru = os.wait4(pid, 0)
        status = (st, ru, time.monotonic() - t0)
    st, ru, t = status
    emit({
        "ev": "exit",
        "t": t,
        "status": os.waitstatus_to_exitcode(st) if hasattr(os, "waitstatus_to_exitcode") else st,
        "bytes": total,
        "utime": ru.ru_utime,
        "stime": ru.ru_stime,
        "maxrss_kb": ru.ru_maxrss,
    })


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    main()
