#!/usr/bin/env python3
"""Freshness across instances: how long a report takes to reach every instance's
/v1/progress while several `fieldpulse run` of one group share a steady load.

Starts an embedded broker (`fieldpulse broker`), N instances in one group, and a
steady history-shaped load (`fieldpulse simulate --rate R --from .. --to ..`); then
sends probe reports one at a time through a streaming `fieldpulse produce` and polls
every instance's /v1/progress for the probe cadre's count until all show it. The
time from writing the probe to the last instance showing it is the probe's
freshness (it includes the produce, Kafka, the owner's processing, its partial
interval and the other instances' reading of the state topic).

    bench/scaleout/freshness.py [--build build/release] [--instances 3] [--rate 5000]
                                [--probes 200] [--partitions 12]
"""
import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request


def get(port, target):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{target}", timeout=5) as reply:
        return reply.status, reply.read().decode()


def count(port, cadre):
    status, body = get(port, f"/v1/progress?id={cadre}&metric=household_visit.count")
    rows = json.loads(body)["rows"] if status == 200 else []
    return sum(row["reports"] for row in rows)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="build/release")
    parser.add_argument("--instances", type=int, default=3)
    parser.add_argument("--rate", type=float, default=5000)
    parser.add_argument("--probes", type=int, default=200)
    parser.add_argument("--partitions", type=int, default=12)
    parser.add_argument("--roster", default="data/zhanjiang-roster.json")
    args = parser.parse_args()
    fp = os.path.join(args.build, "app", "fieldpulse")
    work = tempfile.mkdtemp(prefix="fp-fresh-")
    env = dict(os.environ, GLIBC_TUNABLES="glibc.malloc.hugetlb=1")
    children = []

    def spawn(argv, **kw):
        child = subprocess.Popen(argv, env=env, **kw)
        children.append(child)
        return child

    try:
        boot = os.path.join(work, "bootstrap")
        spawn([fp, "broker", "--brokers", "3", "--partitions", str(args.partitions),
               "--bootstrap-file", boot], stderr=open(os.path.join(work, "broker.log"), "w"))
        while not os.path.exists(boot) or not open(boot).read().strip():
            time.sleep(0.05)
        brokers = open(boot).read().strip()
        ports = []
        for i in range(args.instances):
            out = open(os.path.join(work, f"run{i}.out"), "w+")
            spawn([fp, "run", "--brokers", brokers, "--roster", args.roster, "--http",
                   "127.0.0.1:0", "--group", "fresh"],
                  stdout=out, stderr=open(os.path.join(work, f"run{i}.log"), "w"))
            while True:
                out.seek(0)
                m = re.search(r"serving http://[^:]+:(\d+)/", out.read())
                if m:
                    ports.append(int(m.group(1)))
                    break
                time.sleep(0.05)
        roster = json.load(open(args.roster))
        probe = next(c for c in roster["cadres"] if len(c["region"]) == 12)
        cadre, village = probe["cadre_id"], probe["region"]

        load = spawn([fp, "simulate", "--brokers", brokers, "--roster", args.roster, "--rate",
                      str(args.rate), "--from", "2018-05-01", "--to", "2019-07-31", "--count",
                      str(int(args.rate * 3600))],
                     stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "load.log"), "w"))
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if all(get(p, "/readyz")[0] == 200 for p in ports):
                    break
            except Exception:
                pass
            time.sleep(0.2)
        time.sleep(5)  # the load settles
        start_consumed = json.loads(get(ports[0], "/v1/summary")[1])["reports"]["consumed"]
        started = time.time()

        producer = spawn([fp, "produce", "--brokers", brokers, "-"], stdin=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True)
        latencies = []
        for n in range(args.probes):
            before = [count(p, cadre) for p in ports]
            line = json.dumps({"v": 1, "report_id": f"probe-{os.getpid()}-{n}", "cadre_id": cadre,
                               "village": village, "kind": "household_visit",
                               "at": "2019-07-31T12:00:00+08:00", "values": {"households": 1}})
            t0 = time.monotonic()
            producer.stdin.write(line + "\n")
            producer.stdin.flush()
            pending = set(range(len(ports)))
            while pending and time.monotonic() - t0 < 30:
                for i in list(pending):
                    if count(ports[i], cadre) > before[i]:
                        pending.discard(i)
                time.sleep(0.005)
            latencies.append(time.monotonic() - t0 if not pending else float("inf"))
            time.sleep(0.1)
        elapsed = time.time() - started
        end_consumed = json.loads(get(ports[0], "/v1/summary")[1])["reports"]["consumed"]
        latencies.sort()
        p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
        print(f"instances {args.instances}, partitions {args.partitions}, load {args.rate:.0f}/s "
              f"(history 2018-05-01..2019-07-31), measured rate "
              f"{(end_consumed - start_consumed) / elapsed:.0f}/s over {elapsed:.0f} s")
        print(f"freshness over {len(latencies)} probes (to every instance): "
              f"p50 {p(0.5) * 1000:.0f} ms, p99 {p(0.99) * 1000:.0f} ms, "
              f"max {latencies[-1] * 1000:.0f} ms")
    finally:
        for child in reversed(children):
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()


if __name__ == "__main__":
    sys.exit(main())
