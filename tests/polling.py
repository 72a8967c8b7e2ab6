"""Wait for something another thread or process does, without sleeping longer than needed."""

import time


def wait_until(condition, timeout=30.0, interval=0.05) -> bool:
    """Poll ``condition`` until it holds (True) or ``timeout`` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False
