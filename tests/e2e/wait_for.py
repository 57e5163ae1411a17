#!/usr/bin/python3
"""Waits for a condition instead of a fixed time, so that tests hold on a busy
machine: until at least COUNT files match GLOB, or the process PID has exited
(exit 0 either way; exit 1 after TIMEOUT seconds without either).

  wait_for.py --glob 'out.h5.checkpoint/*.h5' --count 3 --pid 1234 [--timeout 300]
"""
import argparse
import glob
import os
import sys
import time


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped by the shell) counts as gone.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--glob", required=True)
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--pid", type=int)
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        if len(glob.glob(args.glob)) >= args.count:
            return 0
        if args.pid is not None and not alive(args.pid):
            return 0
        time.sleep(0.02)
    print(f"wait_for: no {args.count} files matching {args.glob} within {args.timeout:.0f} s", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
