"""Log records, as Lambda's Python runtime writes them.

Each record is one frame on the telemetry pipe (fd in _LAMBDA_TELEMETRY_LOG_FD), so a multi-line
record (a traceback) stays one log event:
    u32 BE 0xa55a0003 (text) | 0xa55a0002 (JSON), u32 BE payload length, u64 BE µs since epoch, payload
Without that fd, records go to stdout, inner newlines turned into \\r (one line per record).

`print` stays plain stdout. The root `logging` handler (format
`[LEVEL]\\t<ISO time>\\t<request id>\\t<message>`) is installed the moment user code imports
`logging`: importing it here would add ~10 ms to every cold start, also for functions that never log.
"""
import os
import sys
import time
from _thread import allocate_lock

_FRAME_TEXT = b"\xa5\x5a\x00\x03"
_FRAME_JSON = b"\xa5\x5a\x00\x02"

_fd = -1
_json = False
_lock = allocate_lock()  # user threads log too; a frame must not interleave with another
request_id = None  # the invocation in progress; stamped on logging records


def install(env):
    """Take the telemetry fd (user code must not see it), make stdout line-buffered, hook logging."""
    global _fd, _json
    raw = env.pop("_LAMBDA_TELEMETRY_LOG_FD", None)
    if raw is not None and raw.isdigit() and int(raw) > 2:
        try:
            os.set_inheritable(int(raw), False)  # child processes don't get it either
            _fd = int(raw)
        except OSError:
            _fd = -1
    _json = env.get("AWS_LAMBDA_LOG_FORMAT") == "JSON"
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(line_buffering=True)  # print lines reach the host while the request runs
        except (AttributeError, ValueError):
            pass
    if "logging" in sys.modules:
        _install_logging(sys.modules["logging"])
    else:
        sys.meta_path.insert(0, _LoggingHook())


def log(message, json_record=False):
    """Write one record."""
    if _fd < 0:
        sys.stdout.write(message.replace("\n", "\r") + "\n")
        return
    data = message.encode("utf-8", "replace")
    frame = b"".join(
        (
            _FRAME_JSON if json_record else _FRAME_TEXT,
            len(data).to_bytes(4, "big"),
            (time.time_ns() // 1000).to_bytes(8, "big"),
            data,
        )
    )
    view = memoryview(frame)
    with _lock:
        while view:
            try:
                view = view[os.write(_fd, view) :]
            except BlockingIOError:
                time.sleep(0.001)
            except OSError:
                return  # the host is gone: drop the record rather than fail the user's code


def log_error(error):
    """Log a failure as Lambda does: `[ERROR] Type: message` then the traceback, as one record."""
    if _json:
        from . import jsonio

        record = {
            "timestamp": iso_now(),
            "level": "ERROR",
            "message": error["errorMessage"],
            "errorType": error["errorType"],
            "stackTrace": error["stackTrace"],
            "requestId": error.get("requestId") or request_id or "",
        }
        log(jsonio.dumps(record).decode("utf-8"), True)
        return
    head = "[ERROR]"
    if error.get("errorType"):
        head += " " + error["errorType"]
    if error.get("errorMessage"):
        head += (":" if error.get("errorType") else "") + " " + error["errorMessage"]
    lines = [head, "Traceback (most recent call last):"]
    for entry in error.get("stackTrace") or []:
        lines.extend(entry.splitlines() if entry else [""])
    log("\n".join(lines))


def iso_now():
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + ".%03dZ" % (int(now * 1000) % 1000)


class _LoggingHook:
    """A meta-path finder that wraps the loader of `logging` so that our handler is installed
    right after the module runs — before any user logging call, as on Lambda."""

    def find_spec(self, name, path=None, target=None):
        if name != "logging":
            return None
        try:
            sys.meta_path.remove(self)
        except ValueError:
            pass
        for finder in sys.meta_path:
            find_spec = getattr(finder, "find_spec", None)
            spec = find_spec(name, path, target) if find_spec is not None else None
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _InstallAfterLoad(spec.loader)
                return spec
        return None


class _InstallAfterLoad:
    def __init__(self, loader):
        self._loader = loader

    def __getattr__(self, name):  # get_source, get_code, is_package …: the real loader's
        return getattr(self._loader, name)

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        _install_logging(module)


def _install_logging(logging):
    class LambdaLoggerHandler(logging.Handler):
        def emit(self, record):
            try:
                log(self.format(record), _json)
            except Exception:
                self.handleError(record)

    class LambdaLoggerFilter(logging.Filter):
        def filter(self, record):
            record.aws_request_id = request_id or ""
            return True

    handler = LambdaLoggerHandler()
    if _json:
        handler.setFormatter(_json_formatter(logging))
    else:
        handler.setFormatter(
            logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s", "%Y-%m-%dT%H:%M:%S")
        )
    logging.Formatter.converter = time.gmtime  # Lambda's log times are UTC whatever TZ says
    handler.addFilter(LambdaLoggerFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    if _json:  # with JSON logs, Lambda applies AWS_LAMBDA_LOG_LEVEL (default INFO) to the root logger
        level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "INFO").upper()
        try:
            root.setLevel({"TRACE": "DEBUG", "FATAL": "CRITICAL", "WARN": "WARNING"}.get(level, level))
        except ValueError:
            root.setLevel("INFO")


def _json_formatter(logging):
    from . import jsonio

    class JsonFormatter(logging.Formatter):
        def format(self, record):
            created = time.gmtime(record.created)
            out = {
                "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", created) + ".%03dZ" % record.msecs,
                "level": record.levelname,
                "message": record.getMessage(),
                "logger": record.name,
                "requestId": getattr(record, "aws_request_id", ""),
            }
            if record.exc_info:
                out["errorType"] = record.exc_info[0].__name__ if record.exc_info[0] else None
                out["errorMessage"] = str(record.exc_info[1])
                out["stackTrace"] = self.formatException(record.exc_info).splitlines()
            try:
                return jsonio.dumps(out).decode("utf-8")
            except (TypeError, ValueError):
                out["message"] = str(out["message"])
                return jsonio.dumps(out).decode("utf-8")

    return JsonFormatter()
