"""Finding the handler from _HANDLER as Lambda's Python runtime does: `path/to/module.function`,
split at the last dot; slashes in the module path become package dots."""
import sys


class Fault(Exception):
    """A failure the runtime reports under a Lambda error type (Runtime.ImportModuleError, …)."""

    def __init__(self, error_type, message, trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace or []


def load(handler):
    """Import the handler's module and return the handler.

    Exceptions raised by the module's own top-level code propagate as they are (Lambda reports
    them under their own class, e.g. KeyError); ImportError and SyntaxError become Faults.
    """
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as e:
        raise Fault("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (handler, e))
    if module_name.split(".")[0] in sys.builtin_module_names:
        raise Fault("Runtime.BuiltInModuleConflict", "Cannot use built-in module %s as a handler module" % module_name)
    dotted = module_name.replace("/", ".")
    try:
        __import__(dotted)
        module = sys.modules[dotted]
    except ImportError as e:
        raise Fault("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module_name, e))
    except SyntaxError as e:
        raise Fault(
            "Runtime.UserCodeSyntaxError",
            "Syntax error in module '%s': %s" % (module_name, e),
            [' File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)],
        )
    try:
        return getattr(module, function_name)
    except AttributeError:
        pass
    # As on Lambda, a missing handler is not an init failure: each invocation fails with it.
    fault = Fault("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (function_name, module_name))

    def missing_handler(event, context):
        raise fault

    return missing_handler
