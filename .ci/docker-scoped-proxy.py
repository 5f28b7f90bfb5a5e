#!/usr/bin/env python3
"""A view of a Docker engine's socket that shows only containers of one name prefix.

An agent removes every managed container it was not assigned. .ci/images runs the agent image
against the machine's engine; where that engine may hold managed containers of something else (a
developer's machine, tests running beside it), the agent gets this socket instead. Every request
passes through to the engine unchanged, except that a container listing (GET /containers/json)
gets one more filter: the name must start with PREFIX. The agent only ever acts on containers it
listed or created itself, so it sees, adopts, stops and removes nothing but its own.

Usage: docker-scoped-proxy.py LISTEN_SOCKET UPSTREAM_SOCKET PREFIX
"""
import json
import os
import socket
import sys
import threading
import urllib.parse


def scoped(request_line, prefix):
    """The request line with a name filter added when it lists containers."""
    method, target, version = request_line.split(b" ", 2)
    url = urllib.parse.urlsplit(target.decode("latin-1"))
    if method != b"GET" or not url.path.rstrip("/").endswith("/containers/json"):
        return request_line
    query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
    filters = json.loads(query.get("filters", ["{}"])[0] or "{}")
    filters["name"] = ["^/" + prefix]
    query["filters"] = [json.dumps(filters)]
    rebuilt = url._replace(query=urllib.parse.urlencode(query, doseq=True)).geturl()
    return b" ".join([method, rebuilt.encode("latin-1"), version])


def read_until(sock, buf, marker):
    while marker not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            return None, buf
        buf += chunk
    head, _, rest = buf.partition(marker)
    return head + marker, rest


def read_exact(sock, buf, n):
    while len(buf) < n:
        chunk = sock.recv(65536)
        if not chunk:
            return None, buf
        buf += chunk
    return buf[:n], buf[n:]


def read_body(sock, buf, headers):
    """The request body as sent (chunked or with a length), and what follows it."""
    lower = headers.lower()
    if b"transfer-encoding: chunked" in lower:
        body = b""
        while True:
            line, buf = read_until(sock, buf, b"\r\n")
            if line is None:
                return None, buf
            size = int(line.split(b";")[0].strip(), 16)
            data, buf = read_exact(sock, buf, size + 2)
            if data is None:
                return None, buf
            body += line + data
            if size == 0:
                return body, buf
    for line in lower.split(b"\r\n"):
        if line.startswith(b"content-length:"):
            return read_exact(sock, buf, int(line.split(b":", 1)[1]))
    return b"", buf


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(client, upstream_path, prefix):
    upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    upstream.connect(upstream_path)
    threading.Thread(target=pump, args=(upstream, client), daemon=True).start()
    buf = b""
    try:
        while True:
            headers, buf = read_until(client, buf, b"\r\n\r\n")
            if headers is None:
                break
            body, buf = read_body(client, buf, headers)
            if body is None:
                break
            request_line, rest = headers.split(b"\r\n", 1)
            upstream.sendall(scoped(request_line, prefix) + b"\r\n" + rest + body)
    except OSError:
        pass
    finally:
        for s in (client, upstream):
            try:
                s.close()
            except OSError:
                pass


def main():
    listen_path, upstream_path, prefix = sys.argv[1], sys.argv[2], sys.argv[3]
    if os.path.exists(listen_path):
        os.unlink(listen_path)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(listen_path)
    # The same owner, group and mode as the engine's socket: the agent's container reaches it
    # exactly as it would reach the real one (group id through --group-add).
    st = os.stat(upstream_path)
    os.chown(listen_path, st.st_uid, st.st_gid)
    os.chmod(listen_path, 0o660)
    server.listen(64)
    while True:
        client, _ = server.accept()
        threading.Thread(target=serve, args=(client, upstream_path, prefix), daemon=True).start()


if __name__ == "__main__":
    main()
