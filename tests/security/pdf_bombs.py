"""Hostile PDFs built by hand: tiny files whose compressed object streams expand enormously when opened."""

import io
import zlib


def object_stream_bomb(pages: int = 1, padding: int = 70_000_000) -> bytes:
    """A PDF whose every page object sits alone in a FlateDecode object stream padded with ``padding`` spaces.

    Counting the pages means expanding every stream: ``pages`` x ``padding`` bytes from a file about a thousand
    times smaller (one 70 MB stream is a 68 KB file).
    """
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = {}

    def write_object(number, body: bytes):
        offsets[number] = out.tell()
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")

    kids = " ".join(f"{3 + index} 0 R" for index in range(pages))
    write_object(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    write_object(2, f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode())
    first_stream = 3 + pages
    entries = {}
    for index in range(pages):
        header = f"{3 + index} 0 ".encode()
        body = header + b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>" + b" " * padding
        packed = zlib.compress(body, 9)
        number = first_stream + index
        write_object(
            number,
            f"<< /Type /ObjStm /N 1 /First {len(header)} /Filter /FlateDecode /Length {len(packed)} >>\n"
            "stream\n".encode()
            + packed
            + b"\nendstream",
        )
        entries[3 + index] = (2, number, 0)
    for number, offset in offsets.items():
        entries[number] = (1, offset, 0)
    size = first_stream + pages + 1
    xref_number = size - 1
    xref_offset = out.tell()
    entries[xref_number] = (1, xref_offset, 0)
    rows = b"".join(
        bytes([kind]) + first.to_bytes(4, "big") + second.to_bytes(2, "big")
        for kind, first, second in (entries.get(number, (0, 0, 0)) for number in range(size))
    )
    out.write(
        f"{xref_number} 0 obj\n<< /Type /XRef /Size {size} /W [1 4 2] /Root 1 0 R /Length {len(rows)} >>\n"
        "stream\n".encode()
        + rows
        + b"\nendstream\nendobj\n"
    )
    out.write(f"startxref\n{xref_offset}\n%%EOF\n".encode())
    return out.getvalue()
