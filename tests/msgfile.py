"""Outlook .msg files built for tests: the corpus's other.msg with its transport headers and body
replaced, written as a new OLE compound file (MS-CFB version 3), since olefile rewrites a stream
only at its own size.

From the builder of verification V23 (build_msgs.py, cfb.py), cleaned up.
"""

from __future__ import annotations

import itertools
import struct
from pathlib import Path

import olefile
from conftest import CORPUS

OTHER = CORPUS / "messages" / "eml_analyzer" / "other.msg"
# Outlook's CLSID for a message's root storage (MS-OXMSG section 2.2.1).
_MESSAGE_CLSID = bytes.fromhex("0b0d020000000000c000000000000046")
# PR_TRANSPORT_MESSAGE_HEADERS and PR_BODY as UTF-16 strings (MS-OXPROPS), and PR_RTF_COMPRESSED,
# which a reader may prefer to the plain body.
TRANSPORT_HEADERS = ("__substg1.0_007D001F",)
BODY = ("__substg1.0_1000001F",)
_RTF_BODY = ("__substg1.0_10090102",)
_ATTACHMENT = "__attach_version1.0_"

_FREE, _END, _FAT_SECTOR = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
_NO_STREAM = 0xFFFFFFFF
_SECTOR = 512
_MINI_SECTOR = 64
_MINI_CUTOFF = 4096

Entries = dict[tuple[str, ...], bytes | None]


def read_entries(path: Path) -> Entries:
    """Every storage (None) and stream (its bytes) of an OLE file, by path."""
    out: Entries = {}
    with olefile.OleFileIO(str(path)) as ole:
        for parts in ole.listdir(streams=True, storages=True):
            kind = ole.get_type(parts)
            out[tuple(parts)] = ole.openstream(parts).read() if kind == olefile.STGTY_STREAM else None
    return out


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


class _Node:
    def __init__(self, name: str, kind: int, data: bytes | None = None) -> None:
        self.name, self.kind, self.data = name, kind, data
        self.children: dict[str, _Node] = {}
        self.number = 0
        self.start = _END
        self.right = _NO_STREAM

    def sorted_children(self) -> list[_Node]:
        # MS-CFB section 2.6.4: siblings compare by name length, then upper-cased name.
        return sorted(self.children.values(), key=lambda n: (len(n.name), n.name.upper()))


def write_cfb(entries: Entries) -> bytes:
    """An OLE compound file (version 3, 512-byte sectors) holding ``entries``. Siblings are kept as
    a right-leaning list, all black: a valid red-black tree is not needed by readers."""
    root = _Node("Root Entry", 5)
    for path in sorted(entries, key=len):
        node = root
        for part in path[:-1]:
            node = node.children.setdefault(part, _Node(part, 1))
        data = entries[path]
        if data is None:
            node.children.setdefault(path[-1], _Node(path[-1], 1))
        else:
            node.children[path[-1]] = _Node(path[-1], 2, data)
    order: list[_Node] = []

    def walk(node: _Node) -> None:
        order.append(node)
        for child in node.sorted_children():
            walk(child)

    walk(root)
    for number, node in enumerate(order):
        node.number = number
    for node in order:
        children = node.sorted_children()
        for left, right in itertools.pairwise(children):
            left.right = right.number

    # Streams under 4,096 bytes go in the mini stream (64-byte sectors, MS-CFB section 2.5).
    mini, minifat, big = bytearray(), [], []
    for node in order:
        if node.kind != 2 or node.data is None:
            continue
        if len(node.data) >= _MINI_CUTOFF:
            big.append(node)
        elif node.data:
            node.start = len(mini) // _MINI_SECTOR
            count = -(-len(node.data) // _MINI_SECTOR)
            minifat += [node.start + i + 1 for i in range(count - 1)] + [_END]
            mini += node.data.ljust(count * _MINI_SECTOR, b"\0")
    directory_sectors = -(-len(order) * 128 // _SECTOR)
    minifat_sectors = -(-len(minifat) * 4 // _SECTOR)
    mini_sectors = -(-len(mini) // _SECTOR)
    big_sectors = sum(-(-len(n.data or b"") // _SECTOR) for n in big)
    fat_sectors = 1
    while -(-(directory_sectors + minifat_sectors + mini_sectors + big_sectors + fat_sectors) * 4 // _SECTOR) \
            > fat_sectors:
        fat_sectors += 1
    assert fat_sectors <= 109, "a test .msg needs no DIFAT sectors"
    fat = [_FREE] * (fat_sectors * 128)
    for sector in range(fat_sectors):
        fat[sector] = _FAT_SECTOR
    next_sector = fat_sectors

    def chain(count: int) -> int:
        nonlocal next_sector
        if count == 0:
            return _END
        start = next_sector
        for i in range(count):
            fat[next_sector] = next_sector + 1 if i < count - 1 else _END
            next_sector += 1
        return start

    directory_start = chain(directory_sectors)
    minifat_start = chain(minifat_sectors)
    root.start = chain(mini_sectors)
    root.data = bytes(mini)
    for node in big:
        node.start = chain(-(-len(node.data or b"") // _SECTOR))

    directory = bytearray()
    for node in order:
        name = node.name.encode("utf-16-le")[:62] + b"\0\0"
        children = node.sorted_children()
        child = children[0].number if children else _NO_STREAM
        size = len(node.data or b"") if node.kind in (2, 5) else 0
        start = node.start if node.kind in (2, 5) else 0
        directory += name.ljust(64, b"\0") + struct.pack("<HBBIII", len(name), node.kind, 1, _NO_STREAM,
                                                          node.right, child)
        directory += (_MESSAGE_CLSID if node.kind == 5 else b"\0" * 16) + b"\0" * 20 + struct.pack("<IQ", start, size)
    directory = directory.ljust(directory_sectors * _SECTOR, b"\0")
    minifat_bytes = b"".join(struct.pack("<I", x) for x in minifat).ljust(minifat_sectors * _SECTOR, b"\xff")
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
    header += b"\0" * 6 + struct.pack("<IIIIIIIII", 0, fat_sectors, directory_start, 0, _MINI_CUTOFF,
                                      minifat_start, minifat_sectors, _END, 0)
    header += b"".join(struct.pack("<I", x) for x in list(range(fat_sectors)) + [_FREE] * (109 - fat_sectors))
    body = b"".join(struct.pack("<I", x) for x in fat) + bytes(directory) + minifat_bytes
    body += bytes(mini).ljust(mini_sectors * _SECTOR, b"\0")
    for node in big:
        data = node.data or b""
        body += data.ljust(-(-len(data) // _SECTOR) * _SECTOR, b"\0")
    return header + body
