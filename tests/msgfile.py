"""Outlook .msg files built for tests: the corpus's other.msg with its transport headers and body
replaced, written as a new OLE compound file by cfb_writer (olefile rewrites a stream only at its
own size).

From the builder of verification V23 (build_msgs.py, cfb.py), cleaned up.
"""

from __future__ import annotations

from cfb_writer import read_entries, write_cfb
from conftest import CORPUS

OTHER = CORPUS / "messages" / "eml_analyzer" / "other.msg"
# PR_TRANSPORT_MESSAGE_HEADERS and PR_BODY as UTF-16 strings (MS-OXPROPS), and PR_RTF_COMPRESSED,
# which a reader may prefer to the plain body.
TRANSPORT_HEADERS = ("__substg1.0_007D001F",)
BODY = ("__substg1.0_1000001F",)
_RTF_BODY = ("__substg1.0_10090102",)
_ATTACHMENT = "__attach_version1.0_"

_EMBEDDED = ("__attach_version1.0_#00000000", "__substg1.0_3701000D")
"""other.msg's embedded message: its first attachment's PR_ATTACH_DATA_OBJ storage (MS-OXMSG 2.2.2.1)."""


def msg_bytes(header: str, body: str, *, embedded: bool, inner: tuple[str, str] | None = None) -> bytes:
    """other.msg with ``header`` as its transport headers and ``body`` as its plain body; with its
    embedded message (an attached .msg) or without any attachment. ``inner``: the embedded
    message's own (header, body) instead of its own, without attachments of its own."""
    entries = {path: data for path, data in read_entries(OTHER).items()
               if path[0] != _RTF_BODY[0] and (embedded or not path[0].startswith(_ATTACHMENT))}
    entries[TRANSPORT_HEADERS] = header.encode("utf-16-le")
    entries[BODY] = body.encode("utf-16-le")
    if inner is not None:
        depth = len(_EMBEDDED)
        entries = {path: data for path, data in entries.items() if path[:depth] != _EMBEDDED or len(path) == depth
                   or not (path[depth].startswith(_ATTACHMENT) or path[depth] == _RTF_BODY[0])}
        entries[(*_EMBEDDED, *TRANSPORT_HEADERS)] = inner[0].encode("utf-16-le")
        entries[(*_EMBEDDED, *BODY)] = inner[1].encode("utf-16-le")
    return write_cfb(entries)
