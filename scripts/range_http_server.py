#!/usr/bin/env python3
"""A small HTTP/1.1 file server with byte-range support, for testing resumable downloads.

Serves the files of --root on 127.0.0.1 (port --port, 0 = any free port) and prints
"PORT <n>" on stdout once listening. `python3 -m http.server` ignores Range headers; this one
answers `Range: bytes=a-` / `bytes=a-b` with 206 and Content-Range, and 416 past the end.

Test knobs:
  --cut-after N     the first response for a path stops after N body bytes and closes the
                    connection (simulates a dropped transfer); later requests are served fully
  --no-ranges       ignore Range headers (always 200 with the whole file)
  --linked-etag     send X-Linked-Etag: "<sha256 of the file>" (as Hugging Face does for LFS files)
  --log FILE        append one line per request: "<method> <path> <range or ->"
Stdlib only.
"""

import argparse
import hashlib
import http.server
import os
import re
import socketserver
import sys
import threading


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--cut-after", type=int, default=-1)
    ap.add_argument("--no-ranges", action="store_true")
    ap.add_argument("--linked-etag", action="store_true")
    ap.add_argument("--log", default=None)
    a = ap.parse_args()
    root = os.path.abspath(a.root)
    cut_done = set()
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            pass

        def do_HEAD(self):
            self.serve(head=True)

        def do_GET(self):
            self.serve(head=False)

        def serve(self, head):
            rng = self.headers.get("Range")
            if a.log:
                with lock, open(a.log, "a") as f:
                    f.write(f"{self.command} {self.path} {rng or '-'}\n")
            path = os.path.normpath(os.path.join(root, self.path.split("?")[0].lstrip("/")))
            if not path.startswith(root) or not os.path.isfile(path):
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            size = os.path.getsize(path)
            start, end, status = 0, size - 1, 200
            if rng and not a.no_ranges:
                m = re.fullmatch(r"bytes=(\d+)-(\d*)", rng.strip())
                if m:
                    start = int(m.group(1))
                    end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
                    if start >= size:
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{size}")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    status = 206
            length = end - start + 1
            self.send_response(status)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(length))
            self.send_header("Accept-Ranges", "none" if a.no_ranges else "bytes")
            if status == 206:
                self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
            if a.linked_etag:
                with open(path, "rb") as f:
                    digest = hashlib.sha256(f.read()).hexdigest()
                self.send_header("X-Linked-Etag", f'"{digest}"')
            self.end_headers()
            if head:
                return
            limit = length
            with lock:
                if a.cut_after >= 0 and path not in cut_done:
                    cut_done.add(path)
                    limit = min(length, a.cut_after)
            with open(path, "rb") as f:
                f.seek(start)
                left = limit
                while left > 0:
                    chunk = f.read(min(65536, left))
                    if not chunk:
                        break
                    self.wfile.write(chunk)
                    left -= len(chunk)
            if limit < length:
                self.wfile.flush()
                self.close_connection = True
                try:
                    self.connection.shutdown(2)
                except OSError:
                    pass

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True
        allow_reuse_address = True

    srv = Server(("127.0.0.1", a.port), Handler)
    print(f"PORT {srv.server_address[1]}", flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
