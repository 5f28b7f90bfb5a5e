#!/usr/bin/env python3
"""A read-only view of a Docker engine's socket, for .ci/images on a shared engine.

An agent removes every managed container it was not assigned. .ci/images runs the agent image
against the machine's engine; where that engine holds managed containers of something else (a
developer's machine, tests running beside it), the agent gets this socket instead: GET and HEAD
requests pass through to the engine, every other method is answered 403 and never reaches it.
So the agent can negotiate the API, list and report, and connect to its server, but changes
nothing.

Usage: docker-readonly-proxy.py LISTEN_SOCKET UPSTREAM_SOCKET
HTTP clients do not pipeline: a request is sent after the previous response was read, so a 403
written here never interleaves with a response from the engine.
"""
import os
import socket
import sys
import threading

REFUSAL = b'{"message":"refused by the read-only proxy of .ci/images"}'


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


def pump(src, dst, lock):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            with lock:
                dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(client, upstream_path):
    upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    upstream.connect(upstream_path)
    lock = threading.Lock()
    threading.Thread(target=pump, args=(upstream, client, lock), daemon=True).start()
    buf = b""
    try:
        while True:
            headers, buf = read_until(client, buf, b"\r\n\r\n")
            if headers is None:
                break
            body, buf = read_body(client, buf, headers)
            if body is None:
                break
            method = headers.split(b" ", 1)[0]
            if method in (b"GET", b"HEAD"):
                upstream.sendall(headers + body)
            else:
                with lock:
                    client.sendall(
                        b"HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\n"
                        + b"Content-Length: %d\r\n\r\n" % len(REFUSAL)
                        + REFUSAL
                    )
    except OSError:
        pass
    finally:
        for s in (client, upstream):
            try:
                s.close()
            except OSError:
                pass


def main():
    listen_path, upstream_path = sys.argv[1], sys.argv[2]
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
        threading.Thread(target=serve, args=(client, upstream_path), daemon=True).start()


if __name__ == "__main__":
    main()
