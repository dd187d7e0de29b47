# A first lambkin function (Python). Deploy: npx lambkin deploy examples/hello-python
# Module-level state lives as long as the execution environment: `invocations` counts the
# requests this warm environment has served, and starts again at 1 after a cold start.
import logging

logger = logging.getLogger()
logger.setLevel(logging.INFO)

invocations = 0


def lambda_handler(event, context):
    global invocations
    invocations += 1
    name = event.get("name") if isinstance(event, dict) else None
    name = name if isinstance(name, str) and name else "world"
    print(f"greeting {name} (invocation {invocations} of this environment)")
    logger.info("request %s done", context.aws_request_id)
    return {
        "message": f"Hello, {name}!",
        "invocations": invocations,
        "requestId": context.aws_request_id,
    }
