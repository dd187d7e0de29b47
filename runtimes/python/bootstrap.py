# lambkin's Python runtime: runs inside an execution environment, speaks the Lambda Runtime API
# (http://$AWS_LAMBDA_RUNTIME_API/2018-06-01) and calls the function's handler.
# Standard library only; nothing here may import lambkin's host code (src/).
# This file stays tiny: a script is compiled on every start, modules come from cached bytecode.
import sys


def _main():
    # Cache this runtime's own bytecode in runtimes/python/…/__pycache__ even when the host sets
    # PYTHONDONTWRITEBYTECODE for the function's code (a read-only runtimes/ just skips the write).
    dont_write = sys.dont_write_bytecode
    sys.dont_write_bytecode = False
    try:
        from lambkin_runtime.main import run
    finally:
        sys.dont_write_bytecode = dont_write
    run()


if __name__ == "__main__":
    _main()
