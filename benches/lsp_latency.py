#!/usr/bin/env python3
"""Latency of `arrears lsp` from an edit to its diagnostics.

Usage: benches/lsp_latency.py ARREARS POLICY [EDITS] [--storm N]

Opens POLICY in the server and waits for its diagnostics (the check; the analysis' findings,
which come later from a thread of their own, are not waited for). Then sends EDITS (default 20)
edits as VS Code sends them (incremental: one character typed at the end of the text, in a
comment), each time waiting for the diagnostics published for that version; prints the median
and the slowest in milliseconds. With --storm N, then sends N such edits without waiting and
prints the time from the last one to the diagnostics of the final text, and how many times the
server published for the policy meanwhile.
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
    args = sys.argv[1:]
    storm = 0
    if "--storm" in args:
        at = args.index("--storm")
        storm = int(args[at + 1])
        del args[at:at + 2]
    arrears, policy = args[0], os.path.abspath(args[1])
    edits = int(args[2]) if len(args) > 2 else 20
    # As editors write it: the path escaped (a Chinese file name travels as %E5%B0%8F...).
    uri = "file://" + urllib.parse.quote(policy)
    text = open(policy, encoding="utf-8").read() + "#"
    server = subprocess.Popen([arrears, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def send(message):
        server.stdin.write(frame(message))
        server.stdin.flush()

    def diagnostics(version=None):
        """The diagnostics published for `version` (any, if None); how many came before them."""
        seen = 0
        while True:
            message = read(server.stdout)
            if message.get("method") == "textDocument/publishDiagnostics" and message["params"]["uri"] == uri:
                seen += 1
                if version is None or message["params"].get("version") == version:
                    return message, seen

    def type_one(version):
        # One character at the end of the last line (a comment), in UTF-16 units as LSP counts.
        lines = text.split("\n")
        position = {"line": len(lines) - 1, "character": len(lines[-1].encode("utf-16-le")) // 2}
        send({"jsonrpc": "2.0", "method": "textDocument/didChange",
              "params": {"textDocument": {"uri": uri, "version": version},
                         "contentChanges": [{"range": {"start": position, "end": position}, "text": "x"}]}})
        return text + "x"

    send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}})
    read(server.stdout)
    send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    start = time.perf_counter()
    send({"jsonrpc": "2.0", "method": "textDocument/didOpen",
          "params": {"textDocument": {"uri": uri, "languageId": "arrears", "version": 1, "text": text}}})
    diagnostics(1)
    opened = (time.perf_counter() - start) * 1000
    times = []
    version = 1
    for _ in range(edits):
        version += 1
        start = time.perf_counter()
        text = type_one(version)
        diagnostics(version)
        times.append((time.perf_counter() - start) * 1000)
    report = "%s (%d KB): open %.0f ms; %d edits: median %.1f ms, slowest %.1f ms" % (
        os.path.basename(policy), len(text.encode()) // 1024, opened, edits,
        statistics.median(times), max(times))
    if storm:
        for _ in range(storm):
            version += 1
            text = type_one(version)
        last = time.perf_counter()
        _, published = diagnostics(version)
        report += "; %d edits unwaited: final diagnostics %.0f ms after the last, %d publications" % (
            storm, (time.perf_counter() - last) * 1000, published)
    send({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None})
    send({"jsonrpc": "2.0", "method": "exit", "params": None})
    server.wait()
    print(report)


if __name__ == "__main__":
    main()
