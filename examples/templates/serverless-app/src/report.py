# The reporter: its settings, and which files its package holds (tests/ is left out by the patterns).
import os


def handler(event, context):
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return {
        "mode": os.environ["MODE"],
        "stage": os.environ["STAGE"],
        "memory": int(context.memory_limit_in_mb),
        "hasTests": os.path.exists(os.path.join(here, "tests")),
    }
