"""The runtime's life: init — load _HANDLER, on failure POST /runtime/init/error and exit 1 — then
loop: GET /runtime/invocation/next → handler → POST /invocation/{id}/response or /error."""
import os
import sys

from . import logsink
from .client import RuntimeApiClient
from .context import LambdaContext
from .errors import from_exception, make_error
from .handler import Fault, load
from .jsonio import dumps, loads


def run():
    env = os.environ
    logsink.install(env)  # before any user code runs
    task_root = env.get("LAMBDA_TASK_ROOT") or os.getcwd()
    # User modules resolve from the task root first; this runtime's own folder is not importable.
    if sys.path and sys.path[0] == os.path.dirname(os.path.dirname(__file__)):
        sys.path[0] = task_root
    else:
        sys.path.insert(0, task_root)
    # lambkin's sandbox may show the host's Runtime API socket: straight there, skipping the TCP
    # forwarder behind AWS_LAMBDA_RUNTIME_API. Private to this runtime; user code never sees it.
    socket_path = env.pop("_LAMBKIN_RUNTIME_API_SOCKET", None)
    client = RuntimeApiClient(env.get("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"), socket_path or None)
    try:
        handler = load(env.get("_HANDLER") or "lambda_function.lambda_handler")
    except Fault as fault:
        _init_failed(client, make_error(fault.message, fault.error_type, fault.trace))
    except Exception as e:  # raised by the module's top-level code: reported under its own class
        _init_failed(client, from_exception(e))
    while True:
        _invoke_once(client, handler)


def _invoke_once(client, handler):
    status, headers, body = _call(client.next)
    if status != 200:
        _fatal("Runtime API answered %d to /next: %s" % (status, bytes(body).decode("utf-8", "replace")))
    request_id = headers.get("lambda-runtime-aws-request-id", "")
    logsink.request_id = request_id
    trace_id = headers.get("lambda-runtime-trace-id")
    if trace_id is None:
        os.environ.pop("_X_AMZN_TRACE_ID", None)
    else:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id

    error = None
    try:
        event = loads(body)
    except Exception as e:
        error = make_error("Unable to unmarshal input: %s" % e, "Runtime.UnmarshalError", None, request_id)
    if error is None:
        context = LambdaContext(
            request_id,
            _int(headers.get("lambda-runtime-deadline-ms")),
            headers.get("lambda-runtime-invoked-function-arn"),
            _json_header(headers.get("lambda-runtime-client-context")),
            _json_header(headers.get("lambda-runtime-cognito-identity")),
        )
        try:
            result = handler(event, context)
        except Fault as fault:
            error = make_error(fault.message, fault.error_type, fault.trace, request_id)
        except Exception as e:
            error = from_exception(e, request_id)
    if error is None:
        try:
            payload = dumps(result)
        except Exception as e:  # TypeError, ValueError (circular), RecursionError …
            error = make_error("Unable to marshal response: %s" % e, "Runtime.MarshalError", None, request_id)
        else:
            _answer(client, "invocation/%s/response" % request_id, payload)
            return
    logsink.log_error(error)
    _answer(client, "invocation/%s/error" % request_id, dumps(error), error["errorType"])


def _answer(client, path, payload, error_type=None):
    # The poll for the next event goes out with the result: one write, answered in order.
    status, _, body = _call(client.post_then_next, path, payload, error_type)
    if status >= 300:
        # 403 (no longer the active request) or 413 (too large) is the host's verdict, already
        # turned into the invocation's error there. Note it and go on to the next event.
        logsink.log(
            "[WARNING]\t%s\t%s\tRuntime API answered %d to %s: %s"
            % (logsink.iso_now(), logsink.request_id or "", status, path, bytes(body).decode("utf-8", "replace"))
        )


def _init_failed(client, error):
    logsink.log_error(error)
    try:
        client.post("init/error", dumps(error), error["errorType"])
    except OSError:
        pass
    _exit(1)


def _call(fn, *args):
    try:
        return fn(*args)
    except OSError as e:
        _fatal("Runtime API unreachable: %s" % e)


def _fatal(message):
    # The environment is gone or broken: nothing to report to.
    sys.stderr.write("lambkin runtime: %s\n" % message)
    _exit(1)


def _exit(code):
    # os._exit: threads started by user code must not keep a failed runtime alive.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    os._exit(code)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _json_header(value):
    if not value:
        return None
    try:
        return loads(value.encode("utf-8"))
    except Exception:
        return None
