#!/usr/bin/env python3
"""Latency of `arrears lsp` from an edit to its diagnostics.

Usage: benches/lsp_latency.py ARREARS POLICY [EDITS]

Opens POLICY in the server, then sends EDITS (default 20) full-text changes, each appending
a comment line, waiting each time for the diagnostics published for the policy; prints the
median and the slowest in milliseconds. The analysis runs on open and save only, so the
figures are those of typing.
"""
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.parse


def frame(message):
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def read(stream):
    length = 0
    while True:
        line = stream.readline()
        if not line:
            raise EOFError
        line = line.strip()
        if not line:
            break
        if line.startswith(b"Content-Length:"):
            length = int(line.split(b":")[1])
    return json.loads(stream.read(length))


def main():
    arrears, policy = sys.argv[1], os.path.abspath(sys.argv[2])
    edits = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    # As editors write it: the path escaped (a Chinese file name travels as %E5%B0%8F...).
    uri = "file://" + urllib.parse.quote(policy)
    text = open(policy, encoding="utf-8").read()
    server = subprocess.Popen([arrears, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def send(message):
        server.stdin.write(frame(message))
        server.stdin.flush()

    def diagnostics():
        while True:
            message = read(server.stdout)
            if message.get("method") == "textDocument/publishDiagnostics" and message["params"]["uri"] == uri:
                return message

    send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}})
    read(server.stdout)
    send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    start = time.perf_counter()
    send({"jsonrpc": "2.0", "method": "textDocument/didOpen",
          "params": {"textDocument": {"uri": uri, "languageId": "arrears", "version": 1, "text": text}}})
    diagnostics()
    opened = (time.perf_counter() - start) * 1000
    times = []
    for version in range(2, edits + 2):
        text += "# edit %d\n" % version
        start = time.perf_counter()
        send({"jsonrpc": "2.0", "method": "textDocument/didChange",
              "params": {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}})
        diagnostics()
        times.append((time.perf_counter() - start) * 1000)
    send({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None})
    send({"jsonrpc": "2.0", "method": "exit", "params": None})
    server.wait()
    print("%s: open (with analysis) %.0f ms; %d edits: median %.1f ms, slowest %.1f ms"
          % (os.path.basename(policy), opened, edits, statistics.median(times), max(times)))


if __name__ == "__main__":
    main()
