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


def _write(writer) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _page_with_content(writer, compressed: bytes, filters=("/FlateDecode",)):
    from pypdf.generic import ArrayObject, EncodedStreamObject, NameObject

    page = writer.add_blank_page(width=612, height=792)
    content = EncodedStreamObject()
    content._data = compressed
    content[NameObject("/Filter")] = (
        NameObject(filters[0]) if len(filters) == 1 else ArrayObject(NameObject(f) for f in filters)
    )
    page[NameObject("/Contents")] = writer._add_object(content)
    return page


def content_stream_bomb(expands_to: int) -> bytes:
    """A one-page PDF whose page content is ``expands_to`` bytes of zeros, Flate-compressed (about a thousandth of
    that in the file). Opening it and counting its pages never expands the content; drawing the page does."""
    from pypdf import PdfWriter

    compressor, chunk, parts = zlib.compressobj(9), bytes(1024 * 1024), []
    parts.extend(compressor.compress(chunk) for _ in range(expands_to // len(chunk)))
    parts.append(compressor.compress(bytes(expands_to % len(chunk))) + compressor.flush())
    writer = PdfWriter()
    _page_with_content(writer, b"".join(parts))
    return _write(writer)


def padded_pdf(size: int) -> bytes:
    """A one-page PDF of about ``size`` bytes (its page content is incompressible noise, stored as it is)."""
    import os

    from pypdf import PdfWriter

    writer = PdfWriter()
    page = writer.add_blank_page(width=612, height=792)
    from pypdf.generic import DecodedStreamObject, NameObject

    noise = DecodedStreamObject()
    noise.set_data(b"% " + os.urandom(max(0, size - 2000)).hex().encode()[: max(0, size - 2000)])
    page[NameObject("/Contents")] = writer._add_object(noise)
    return _write(writer)


def pdf_with(kind: str) -> bytes:
    """A one-page PDF carrying active content of ``kind``, or a harmless /OpenAction (``"open-at-page"``)."""
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=612, height=792)
    root = writer._root_object
    if kind == "openaction-javascript":
        root[NameObject("/OpenAction")] = DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
        )
    elif kind == "document-javascript":
        script = DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1);")}
        )
        tree = DictionaryObject(
            {NameObject("/Names"): ArrayObject([TextStringObject("hello"), writer._add_object(script)])}
        )
        root[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): writer._add_object(tree)})
    elif kind == "openaction-uri":
        root[NameObject("/OpenAction")] = DictionaryObject(
            {NameObject("/S"): NameObject("/URI"), NameObject("/URI"): TextStringObject("https://evil.example/")}
        )
    elif kind == "launch-link":
        action = DictionaryObject(
            {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")}
        )
        link = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Link"),
                NameObject("/Rect"): ArrayObject([]),
                NameObject("/A"): action,
            }
        )
        page[NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    elif kind == "page-open-action":
        page[NameObject("/AA")] = DictionaryObject(
            {
                NameObject("/O"): DictionaryObject(
                    {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("1")}
                )
            }
        )
    elif kind == "open-at-page":  # what LaTeX's hyperref writes: open at the first page, fitted to the window
        root[NameObject("/OpenAction")] = ArrayObject([page.indirect_reference, NameObject("/Fit")])
    else:
        raise ValueError(kind)
    return _write(writer)
