"""Input sources: where the message bytes come from (a file, standard input, the clipboard).

Each source reads bytes and nothing else; turning a paste into a message is the loader's job.
"""

from .interface import InputError, InputSource

__all__ = ["InputError", "InputSource"]
