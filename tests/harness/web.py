"""HTTP as a test needs it: every status is an answer (no exception, no redirect followed), headers
kept as sent, and raw bytes for requests an HTTP client will not send."""

from __future__ import annotations

import http.client
import io
import json
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def header(self, name: str) -> str:
        return self.headers.get(name, "")

    def json(self):
        return json.loads(self.body)


def request(url: str, method: str = "GET", headers: dict | None = None, body: bytes | str | None = None,
            timeout: float = 10) -> Answer:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    try:
        try:
            connection.request(method, path or "/", body=body, headers=headers or {})
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered (413) before reading the whole body: its answer is still there
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


def send_raw(port: int, raw: bytes, timeout: float = 10) -> Answer:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(raw)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, _, header_lines = head.partition(b"\r\n")
    headers = http.client.parse_headers(io.BytesIO(header_lines + b"\r\n\r\n"))
    return Answer(int(status_line.split()[1]), headers, body)
