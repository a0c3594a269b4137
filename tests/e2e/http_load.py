#!/usr/bin/env python3
"""Steady HTTP load until told to stop: the witness of a zero-downtime rollout.

    http_load.py URL STOP_FILE [--workers N] [--max-seconds S] [--out FILE]

N workers (default 4) each GET URL in a loop, a new connection per request as separate clients
would, until STOP_FILE exists or S seconds (default 300) have passed, then prints one JSON line:
requests, failures (any connection error, timeout or status other than 200), the first failures'
reasons, and latency p50/p99/max in milliseconds. Exit status 0 whatever the counts: the caller
asserts on them.
"""
import argparse
import json
import os
import threading
import time
import urllib.error
import urllib.request


# Straight to the cluster's address, whatever proxy the environment names.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def worker(url, stop_file, deadline, results, lock):
    while not os.path.exists(stop_file) and time.monotonic() < deadline:
        started = time.monotonic()
        error = None
        try:
            with OPENER.open(url, timeout=10) as response:
                response.read()
                if response.status != 200:
                    error = f"status {response.status}"
        except urllib.error.HTTPError as e:
            error = f"status {e.code}"
        except Exception as e:  # noqa: BLE001 - every failure counts, whatever its kind
            error = f"{type(e).__name__}: {e}"
        elapsed_ms = (time.monotonic() - started) * 1000
        with lock:
            results.append((elapsed_ms, error))


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, int(round(p / 100 * (len(sorted_values) - 1))))
    return round(sorted_values[index], 1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("stop_file")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--max-seconds", type=float, default=300)
    parser.add_argument("--out")
    args = parser.parse_args()
    results, lock = [], threading.Lock()
    deadline = time.monotonic() + args.max_seconds
    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(args.url, args.stop_file, deadline, results, lock))
               for _ in range(args.workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies = sorted(ms for ms, _ in results)
    failures = [error for _, error in results if error]
    summary = {
        "requests": len(results),
        "failures": len(failures),
        "first_failures": failures[:5],
        "seconds": round(time.monotonic() - started, 1),
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "max_ms": round(latencies[-1], 1) if latencies else None,
    }
    line = json.dumps(summary)
    if args.out:
        with open(args.out, "w") as f:
            f.write(line + "\n")
    print(line)


if __name__ == "__main__":
    main()
