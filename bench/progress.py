"""A progress bar on stderr, without a dependency."""

import sys
import time


class Progress:
    """Count steps of one phase and redraw a bar when the percentage moves."""

    def __init__(self, label, total, *, stream=None):
        self.label = label
        self.total = max(total, 1)
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.started_at = time.monotonic()
        self._shown = -1
        self._tty = self.stream.isatty()

    def advance(self, steps=1):
        self.done += steps
        percent = min(100, self.done * 100 // self.total)
        # A terminal gets a live bar; a log file gets a line every 10%.
        if percent == self._shown or (not self._tty and percent % 10):
            return
        self._shown = percent
        bar = "#" * (percent // 4)
        line = f"{self.label:<22} [{bar:<25}] {percent:3d}% {self.done:>9,}"
        self.stream.write(("\r" + line) if self._tty else line + "\n")
        self.stream.flush()

    def close(self):
        seconds = time.monotonic() - self.started_at
        if self._tty:
            self.stream.write("\n")
        self.stream.write(f"{self.label:<22} {self.done:,} in {seconds:.1f} s\n")
        self.stream.flush()


class Silent:
    """A progress bar that shows nothing, for tests."""

    def __init__(self, label, total):
        self.done = 0

    def advance(self, steps=1):
        self.done += steps

    def close(self):
        pass
