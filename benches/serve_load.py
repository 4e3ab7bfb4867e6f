#!/usr/bin/env python3
"""Load and reload: `arrears serve` under concurrent clients while its policy keeps changing.

Usage: benches/serve_load.py ARREARS [CLIENTS] [REQUESTS] [LOANS]

Copies the retail policy and its schema into a temporary folder and serves it on loopback.
CLIENTS threads (default 8) each send REQUESTS (default 2000) `POST /v1/decide` requests of
LOANS (default 100) loans of the shipped sample, over keep-alive connections, while another
thread rewrites the policy file every second, alternating two versions (the second sends no
one to court). Every response must be 200, and each of its decisions must equal what
`arrears run` writes for that loan under the version whose `policy.sha256` the response names:
a response mixing versions, or naming one it did not use, is counted as a mismatch. Prints
errors, mismatches, the versions seen, p50/p99 latency and loans decided per second.
"""
import hashlib
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def main():
    arrears = os.path.abspath(sys.argv[1])
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    requests = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    per_request = int(sys.argv[4]) if len(sys.argv) > 4 else 100
    work = tempfile.mkdtemp(prefix="arrears-load-")
    shutil.copy(os.path.join(ROOT, "policies", "loan-v1.schema"), work)
    policy = os.path.join(work, "retail.policy")
    original = open(os.path.join(ROOT, "policies", "retail.policy"), encoding="utf-8").read()
    versions = [original, original.replace("then litigation", "then demand_letter")]
    sample = os.path.join(ROOT, "examples", "portfolios", "retail-sample.jsonl")
    lines = open(sample, encoding="utf-8").read().splitlines()
    loans = [json.loads(line) for line in lines]

    # What `arrears run` writes for every loan under each version, by the version's digest.
    expected = {}
    for text in versions:
        open(policy, "w", encoding="utf-8").write(text)
        out = subprocess.run([arrears, "run", policy, sample, "--as-of", "2026-11-20"],
                             capture_output=True, check=True, text=True).stdout
        records = {json.loads(l)["loan_id"]: json.loads(l) for l in out.splitlines()}
        expected[hashlib.sha256(text.encode()).hexdigest()] = records
    open(policy, "w", encoding="utf-8").write(versions[0])

    server = subprocess.Popen([arrears, "serve", policy, "--bind", "127.0.0.1:0"],
                              stderr=subprocess.PIPE, text=True)
    first = server.stderr.readline()
    host, port = first.split("listening on http://")[1].split()[0].split(":")
    threading.Thread(target=lambda: server.stderr.read(), daemon=True).start()

    stop = threading.Event()

    def rewrite():
        turn = 1
        while not stop.wait(1.0):
            # Written whole under another name and renamed, as editors and deploy tools do.
            temporary = policy + ".new"
            open(temporary, "w", encoding="utf-8").write(versions[turn % 2])
            os.replace(temporary, policy)
            turn += 1

    latencies, seen = [], set()
    counts = {"errors": 0, "mismatches": 0, "loans": 0}
    lock = threading.Lock()

    def client(index):
        connection = http.client.HTTPConnection(host, int(port))
        mine, errors, mismatches, decided = [], 0, 0, 0
        versions_seen = set()
        for r in range(requests):
            start = ((index * requests + r) * per_request) % (len(loans) - per_request)
            body = json.dumps({"as_of": "2026-11-20", "loans": loans[start:start + per_request]})
            began = time.perf_counter()
            try:
                connection.request("POST", "/v1/decide", body, {"Content-Type": "application/json"})
                response = connection.getresponse()
                text = response.read()
            except (OSError, http.client.HTTPException):
                errors += 1
                connection = http.client.HTTPConnection(host, int(port))
                continue
            mine.append((time.perf_counter() - began) * 1000)
            if response.status != 200:
                errors += 1
                continue
            answer = json.loads(text)
            sha = answer["policy"]["sha256"]
            versions_seen.add(sha)
            records = expected.get(sha)
            decisions = answer["decisions"]
            decided += len(decisions)
            if records is None or len(decisions) != per_request or any(
                    d != records[d["loan_id"]] for d in decisions):
                mismatches += 1
        with lock:
            latencies.extend(mine)
            counts["errors"] += errors
            counts["mismatches"] += mismatches
            counts["loans"] += decided
            seen.update(versions_seen)

    writer = threading.Thread(target=rewrite)
    writer.start()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    stop.set()
    writer.join()
    server.terminate()
    server.wait()
    shutil.rmtree(work)
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    print("%d clients x %d requests x %d loans in %.1f s: errors %d, mismatches %d, versions seen %d; "
          "latency p50 %.1f ms, p99 %.1f ms; %.0f loans/s"
          % (clients, requests, per_request, elapsed, counts["errors"], counts["mismatches"], len(seen),
             statistics.median(latencies), p99, counts["loans"] / elapsed))
    sys.exit(1 if counts["errors"] or counts["mismatches"] else 0)


if __name__ == "__main__":
    main()
