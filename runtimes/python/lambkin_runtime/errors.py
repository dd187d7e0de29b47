"""Failures as Lambda's Python runtime reports them: the body posted to /error and /init/error is
{errorMessage, errorType, requestId, stackTrace}. `traceback` is imported only when something fails."""
import os

_OWN_DIR = os.path.dirname(__file__) + os.sep  # same string as our frames' co_filename


def make_error(message, error_type, stack_trace=None, request_id=None):
    return {
        "errorMessage": message or "",
        "errorType": error_type or "",
        "requestId": request_id or "",
        "stackTrace": stack_trace or [],
    }


def from_exception(exc, request_id=None):
    """An exception from user code; the runtime's own frames are cut from the front of the trace."""
    import traceback

    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename.startswith(_OWN_DIR):
        tb = tb.tb_next

    try:
        message = str(exc)
    except Exception:
        message = "<exception str() failed>"
    # errorType is the bare class name (mymodule.MyError → MyError), as on Lambda.
    return make_error(message, type(exc).__name__, traceback.format_list(traceback.extract_tb(tb)), request_id)
