"""LiveTally: answers live-stream creators' money questions, with its maths and its sources."""

__version__ = "0.1.0"
