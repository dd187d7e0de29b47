# lambkin's Python runtime: runs inside an execution environment, speaks the Lambda Runtime API
# (http://$AWS_LAMBDA_RUNTIME_API/2018-06-01) and calls the function's handler.
# Standard library only; nothing here may import lambkin's host code (src/).
# This file stays tiny: a script is compiled on every start, modules come from cached bytecode.
import os
import sys


def _site_packages():
    # Started with -S: the interpreter's site-packages are added here, without running the `import`
    # lines of their .pth files. Those are host tooling hooks (on this project's machines one
    # imports certifi and costs ~60 ms of every start); Lambda's runtime has none. Plain path lines
    # of .pth files (namespace packages, editable installs) are honoured as site.py would.
    import site

    for builtin in (site.setquit, site.setcopyright, site.sethelper):  # exit(), quit(), help() as usual
        builtin()
    for top in site.getsitepackages():
        if not os.path.isdir(top) or top in sys.path:
            continue
        sys.path.append(top)
        try:
            names = sorted(n for n in os.listdir(top) if n.endswith(".pth") and not n.startswith("."))
        except OSError:
            continue
        for name in names:
            try:
                with open(os.path.join(top, name), encoding="utf-8") as f:
                    lines = f.read().splitlines()
            except (OSError, UnicodeDecodeError):
                continue
            for line in lines:
                line = line.strip()
                if not line or line.startswith(("#", "import ", "import\t")):
                    continue
                path = os.path.join(top, line)
                if path not in sys.path and os.path.isdir(path):
                    sys.path.append(path)


def _main():
    if sys.flags.no_site:
        _site_packages()
    # Cache this runtime's own bytecode in runtimes/python/…/__pycache__ even when the host sets
    # PYTHONDONTWRITEBYTECODE for the function's code (a read-only runtimes/ just skips the write).
    dont_write = sys.dont_write_bytecode
    sys.dont_write_bytecode = False
    try:
        from lambkin_runtime.main import run

        prestarted = "_LAMBKIN_PRESTART" in os.environ
        if prestarted:  # started ahead of its function (lambkin's pre-started pool): wait for it
            from lambkin_runtime.prestart import await_assignment
    finally:
        sys.dont_write_bytecode = dont_write
    if prestarted:
        await_assignment()
    run()


if __name__ == "__main__":
    _main()
