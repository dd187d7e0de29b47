# The reporter: its settings, and the shared layer's value when the server has layers.
import os

try:
    from shared import LAYER_VALUE
except ImportError:  # deployed without the layer (a server without layers)
    LAYER_VALUE = None


def handler(event, context):
    return {
        "mode": os.environ["MODE"],
        "stage": os.environ["STAGE"],
        "logLevel": os.environ["LOG_LEVEL"],
        "memory": int(context.memory_limit_in_mb),
        "layer": LAYER_VALUE,
    }
