"""Events in, results out, as Lambda's Python runtime encodes them.

Uses the C accelerator `_json` directly: the `json` package imports `re` (and with it enum,
functools, collections …), about 10 ms of every cold start on a small machine. `json` is imported
only on error paths (for its exact error messages) or where `_json` is missing.

Output matches Lambda's: separators ", " and ": ", non-ASCII kept as UTF-8 (ensure_ascii=False),
NaN/Infinity allowed, Decimal accepted.
"""
import sys

_scan = None  # _json's scanner once checked (end of this file); None: json does the whole job

_WHITESPACE = " \t\n\r"


class _DecoderSettings:
    # The attributes _json's scanner reads from a json.JSONDecoder.
    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = {"-Infinity": float("-inf"), "Infinity": float("inf"), "NaN": float("nan")}.__getitem__
    memo = {}


def _encoder(encode_string):
    # A fresh encoder per call, as json.dumps makes: its `markers` (circular-reference check) must start empty.
    return make_encoder({}, _default, encode_string, None, ": ", ", ", False, False, True)


def loads(data):
    """Parse UTF-8 JSON bytes; raises ValueError with json's message on bad input."""
    text = data.decode("utf-8")
    if _scan is not None:
        n = len(text)
        i = 0
        while i < n and text[i] in _WHITESPACE:
            i += 1
        try:
            value, end = _scan(text, i)
        except Exception:  # incl. StopIteration; json.loads below gives the precise error
            value, end = None, -1
        while 0 <= end < n and text[end] in _WHITESPACE:
            end += 1
        if end == n:
            return value
    import json

    return json.loads(text)


def _default(o):
    decimal = sys.modules.get("decimal")
    if decimal is not None and isinstance(o, decimal.Decimal):
        # Lambda writes Decimals as numbers. Integral ones stay exact; others become floats.
        if o.is_finite() and o.as_tuple().exponent >= 0:
            return int(o)
        return float(o)
    raise TypeError("Object of type %s is not JSON serializable" % o.__class__.__name__)


def dumps(value):
    """Encode a handler's result to UTF-8 JSON bytes; TypeError/ValueError when it cannot be."""
    if _scan is None:
        import json

        text = json.dumps(value, default=_default, ensure_ascii=False)
    else:
        text = "".join(_encoder(encode_basestring)(value, 0))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate cannot be UTF-8: write it (and all non-ASCII) as \\u escapes instead.
        if _scan is None:
            import json

            return json.dumps(value, default=_default).encode("ascii")
        return "".join(_encoder(encode_basestring_ascii)(value, 0)).encode("ascii")


try:
    from _json import encode_basestring, encode_basestring_ascii, make_encoder, make_scanner

    _scan = make_scanner(_DecoderSettings())
    if _scan("[1]", 0) != ([1], 3) or "".join(_encoder(encode_basestring)({"a": 1}, 0)) != '{"a": 1}':
        raise ImportError("_json does not behave as expected")
except Exception:  # not CPython, or a private API that changed: json does the whole job
    _scan = None
