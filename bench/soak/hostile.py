# The soak's hostile function: each `mode` is one of issue 14's attacks that function code can make
# from inside its environment. The soak (bench/soak.js) loops through them while well-behaved
# functions serve load. Everything here targets only this environment's own Runtime API.
import json
import os
import socket
import sys
import time

API = os.environ.get('AWS_LAMBDA_RUNTIME_API', '127.0.0.1:9001')
SOCK = '/run/lambkin/runtime-api.sock'


def connect(timeout=2):
    host, port = API.rsplit(':', 1)
    return socket.create_connection((host, int(port)), timeout=timeout)


def raw(data):
    """One raw request to the Runtime API; its status line (or what went wrong)."""
    try:
        s = connect()
    except OSError as e:
        return repr(e)
    try:
        s.sendall(data)
        return s.recv(4096).decode('latin1').split('\r\n', 1)[0]
    except OSError as e:
        return repr(e)
    finally:
        s.close()


def bad_percent(event, context):
    return raw(b'POST /2018-06-01/runtime/invocation/%E0%A4%A/response HTTP/1.1\r\nHost: x\r\n'
               b'Content-Length: 2\r\n\r\n{}')


def hold(open_one, n, seconds):
    """Open up to n connections with open_one(), keep them `seconds`, close them; how many opened."""
    held = []
    for _ in range(n):
        try:
            held.append(open_one())
        except OSError:
            break
    time.sleep(seconds)
    for s in held:
        s.close()
    return len(held)


def half_open_unix():
    s = socket.socket(socket.AF_UNIX)
    s.setblocking(False)
    try:
        s.connect(SOCK)
    except (BlockingIOError, InterruptedError):
        pass
    return s


def many_fds(event, context):
    """Half-open connections straight to the host's socket, bypassing the forwarder."""
    return hold(half_open_unix, event.get('n', 3000), event.get('hold', 2))


def big_bodies(event, context):
    """Responses that announce 6 MB and never finish, for this very request id."""
    head = ('POST /2018-06-01/runtime/invocation/%s/response HTTP/1.1\r\nHost: x\r\n'
            'Content-Length: 6291556\r\n\r\n' % context.aws_request_id).encode()

    def unfinished():
        s = connect(timeout=1)
        try:
            s.sendall(head + b'x' * 65536)
        except OSError:
            s.close()
            raise
        return s
    return hold(unfinished, event.get('n', 150), event.get('hold', 3))


def fork_busy(event, context):
    """A detached grandchild that spins forever, left behind when the handler returns."""
    pid = os.fork()
    if pid == 0:
        os.setsid()
        if os.fork() == 0:
            while True:
                pass
        os._exit(0)
    os.waitpid(pid, 0)
    return 'forked'


def big_error(event, context):
    raise Exception('x' * 6_000_000)


def flood(event, context):
    line = 'a' * 40 + '!'
    out = sys.stdout
    for i in range(event.get('n', 20000)):
        out.write(line + '\n' if i % 2 else json.dumps({'m': 'a' * 40}) + '\n')
    out.flush()
    return 'flooded'


MODES = {
    'badpct': bad_percent, 'fds': many_fds, 'bigbody': big_bodies, 'fork': fork_busy,
    'bigerror': big_error, 'flood': flood,
}


def lambda_handler(event, context):
    if not isinstance(event, dict):
        raise ValueError('the soak sends objects')
    mode = MODES.get(event.get('mode'))
    return mode(event, context) if mode else {'context': str(getattr(context, 'client_context', None))}
