"""The one exception type that entry points turn into a clean message instead of a traceback."""


class KickyError(Exception):
    """A user-facing error: the message says what is wrong and how to fix it."""
