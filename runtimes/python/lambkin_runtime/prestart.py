"""A pre-started runtime (lambkin's sandbox/prestart/pool.ts): started before its function was
known, with _LAMBKIN_PRESTART set and a pipe on stdin. Its modules are imported by now; it blocks
here until the host writes the function's whole environment (one JSON object) and closes the pipe,
then takes that environment as its own — nothing of the start-up one is left — and puts /dev/null
on fd 0, as a runtime started normally has."""
import os
import sys

from .jsonio import loads


def await_assignment():
    chunks = []
    while True:
        chunk = os.read(0, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    if not chunks:  # closed without a word: the host gave up this sandbox
        os._exit(0)
    env = loads(b"".join(chunks))
    os.environ.clear()  # unsetenv() each: the process's own environment changes too
    os.environ.update(env)
    # The interpreter put PYTHONPATH on sys.path as it started: do it now, where it would have
    # (after the script's folder), so that a function's layers (/opt/python) are found.
    for i, path in enumerate(p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p):
        if path not in sys.path:
            sys.path.insert(1 + i, path)
    null = os.open(os.devnull, os.O_RDONLY)
    if null != 0:
        os.dup2(null, 0)
        os.close(null)
