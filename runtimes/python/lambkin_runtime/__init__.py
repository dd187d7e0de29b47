"""lambkin's Python runtime (see ../bootstrap.py). Named so it cannot collide with user modules."""
