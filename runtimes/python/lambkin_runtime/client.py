"""A small HTTP/1.1 client for the Runtime API on one kept-alive socket.

Built on the C `_socket` module: `http.client` pulls in the email package and costs tens of
milliseconds of every cold start; `socket` pulls in `enum`. The protocol is strictly sequential
(next, then response or error), so one connection and blocking calls without timeout suffice —
GET /next may legitimately wait for many minutes. A result and the next poll may go out in one
write (post_then_next): the host answers them in order, and neither side wakes up in between.
"""
import _socket

_PREFIX = b"/2018-06-01/runtime/"
_RECV = 65536


class ApiClosed(OSError):
    """The Runtime API closed the connection."""


class RuntimeApiClient:
    def __init__(self, address, socket_path=None):
        """address: host:port as in AWS_LAMBDA_RUNTIME_API (also the Host header); socket_path: a
        unix socket to connect to instead."""
        host, _, port = address.rpartition(":")
        self._family = _socket.AF_INET
        if host.startswith("["):
            host = host[1:-1]
            self._family = _socket.AF_INET6
        self._addr = (host or "127.0.0.1", int(port))
        if socket_path is not None:
            self._family = _socket.AF_UNIX
            self._addr = socket_path
        self._host = address.encode("ascii")
        self._next = b"GET " + _PREFIX + b"invocation/next HTTP/1.1\r\nHost: " + self._host + b"\r\n\r\n"
        self._sock = None
        self._used = False  # the socket has carried a complete exchange
        self._buf = bytearray()
        self._pos = 0
        self._got = False  # bytes of the current answer have arrived
        self._polled = False  # a GET /next went out with the last result (post_then_next)

    def next(self):
        """Wait for the next event: (status, headers with lower-case names, body bytes)."""
        if self._polled and self._sock is not None:
            self._polled = False
            try:
                return self._read_response()
            except OSError:
                self._close()  # asked again below, on a new connection
        self._polled = False
        return self._request(self._next)

    def post(self, path, body, error_type=None):
        """POST body (bytes) to /2018-06-01/runtime/<path>: (status, headers, body)."""
        head = self._post_head(path, body, error_type)
        if len(body) < _RECV:
            return self._request(head + body)
        return self._request(head, body)  # large: don't copy megabytes just to prepend a head

    def post_then_next(self, path, body, error_type=None):
        """As post, with the poll for the next event in the same write: next() then reads its answer."""
        head = self._post_head(path, body, error_type)
        if len(body) >= _RECV:
            return self.post(path, body, error_type)
        answer = self._request(head + body + self._next)
        # The host closed the connection after the result (Connection: close): the poll was not read.
        self._polled = self._sock is not None
        return answer

    def _post_head(self, path, body, error_type):
        head = b"POST " + _PREFIX + path.encode("utf-8") + b" HTTP/1.1\r\nHost: " + self._host + b"\r\n"
        if error_type is not None:
            head += b"Lambda-Runtime-Function-Error-Type: " + _header_safe(error_type) + b"\r\n"
        return head + b"Content-Length: " + str(len(body)).encode("ascii") + b"\r\n\r\n"

    def _request(self, head, body=None):
        retried = False
        while True:
            reused = self._sock is not None and self._used
            if self._sock is None:
                self._open()
            self._got = False
            try:
                self._sock.sendall(head)
                if body is not None:
                    self._sock.sendall(body)
                return self._read_response()
            except OSError:
                self._close()
                # Nothing of the answer arrived on a socket that had served earlier requests: the
                # server closed the idle keep-alive connection as we wrote. Send once more.
                if reused and not self._got and not retried:
                    retried = True
                    continue
                raise

    def _open(self):
        sock = _socket.socket(self._family, _socket.SOCK_STREAM)
        try:
            if self._family != _socket.AF_UNIX:
                sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
            sock.connect(self._addr)
        except OSError:
            sock.close()
            raise
        self._sock = sock
        self._used = False
        self._buf = bytearray()
        self._pos = 0

    def _close(self):
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
            self._sock = None

    def _fill(self):
        data = self._sock.recv(_RECV)
        if not data:
            raise ApiClosed("Runtime API closed the connection")
        self._got = True
        self._buf += data

    def _read_response(self):
        if self._pos:
            del self._buf[: self._pos]
            self._pos = 0
        while True:
            end = self._buf.find(b"\r\n\r\n")
            while end < 0:
                self._fill()
                end = self._buf.find(b"\r\n\r\n")
            lines = self._buf[:end].decode("utf-8", "replace").split("\r\n")
            self._pos = end + 4
            status = int(lines[0][9:12])
            if status >= 200:
                break
            del self._buf[: self._pos]  # 1xx: the real answer follows
            self._pos = 0
        headers = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        if status in (204, 304):
            body = b""
        elif "chunked" in headers.get("transfer-encoding", "").lower():
            body = self._read_chunked()
        elif "content-length" in headers:
            body = self._read_exact(int(headers["content-length"]))
        else:
            body = self._read_to_close()
        self._used = True
        if headers.get("connection", "").lower() == "close":
            self._close()
        return status, headers, body

    def _read_exact(self, n):
        start = self._pos
        have = len(self._buf) - start
        if have >= n:
            self._pos = start + n
            return self._buf[start : start + n]
        # A large body: receive straight into a buffer of the final size.
        out = bytearray(n)
        out[:have] = self._buf[start:]
        del self._buf[:]
        self._pos = 0
        view = memoryview(out)
        while have < n:
            got = self._sock.recv_into(view[have:])
            if not got:
                raise ApiClosed("Runtime API closed the connection mid-body")
            have += got
        return out

    def _read_line(self):
        end = self._buf.find(b"\r\n", self._pos)
        while end < 0:
            self._fill()
            end = self._buf.find(b"\r\n", self._pos)
        line = bytes(self._buf[self._pos : end])
        self._pos = end + 2
        return line

    def _read_chunked(self):
        parts = []
        while True:
            size = int(self._read_line().split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                break
            parts.append(self._read_exact(size))
            self._read_line()  # the CRLF after the chunk
        while self._read_line():  # trailers, up to the empty line
            pass
        return b"".join(parts)

    def _read_to_close(self):
        parts = [bytes(self._buf[self._pos :])]
        del self._buf[:]
        self._pos = 0
        while True:
            data = self._sock.recv(_RECV)
            if not data:
                break
            parts.append(data)
        self._close()
        return b"".join(parts)


def _header_safe(value):
    """A header value cannot carry CR/LF or non-ASCII: keep printable ASCII only."""
    return "".join(c for c in str(value) if " " <= c <= "~").encode("ascii")
