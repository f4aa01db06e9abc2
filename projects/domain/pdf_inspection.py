"""The child process's side of checking an uploaded PDF (projects/domain/attachments.py starts it): open the file
with pypdf under a limit of processor time and of memory, measure how far its streams would expand, find the
active content it carries, and send the answer back through a pipe.

The child is forked from multiprocessing's fork server, which preloads this module: it imports the standard library
and pypdf only, never Django, so the server stays small and holds no lock of the web worker's.
"""

import io
import math
import os
import resource
import zlib
from multiprocessing.connection import Connection

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, StreamObject


def inspect_in_child(
    data: bytes, sender: Connection, seconds: float, memory_mb: int, inflated_limit: int, open_reader=PdfReader
) -> None:
    """The child's side of inspect_pdf: bound its processor time and the memory it may add, parse ``data`` with
    ``open_reader`` (pypdf's reader), send back what was found. Past the processor time the kernel ends the child
    (SIGXCPU), which the parent reads as too complex."""
    try:
        _limit_processor_time(seconds)
        _limit_memory(memory_mb)
        reader = open_reader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
        result: tuple[str, bool, int, list[str]]
        if encrypted:
            result = ("ok", True, 0, [])
        else:
            pages = len(reader.pages)
            inflated, active = _scan(reader, inflated_limit)
            result = ("inflates" if inflated > inflated_limit else "ok", False, pages, active)
    except MemoryError:
        result = ("too_complex", False, 0, [])
    except Exception as error:  # pypdf raises many kinds of errors on damaged files; all mean the same to people
        result = (f"{type(error).__name__}: {error}"[:500], False, 0, [])
    try:
        sender.send(result)
    finally:
        sender.close()


# Actions a PDF reader runs by itself or that reach outside the document. Going to a page (/GoTo) and following a
# link someone clicks (/URI in a link) are what documents do and are allowed, except as the action on opening.
RUNNING_ACTIONS = {
    "/JavaScript": "JavaScript",
    "/Launch": "an action that launches a program",
    "/SubmitForm": "a form that sends data elsewhere",
    "/ImportData": "an action that imports data",
    "/RichMediaExecute": "embedded media that runs commands",
    "/GoToE": "an action that opens an embedded file",
}
# Image data that readers decode only to draw it, kept compressed: measured as stored.
KEPT_COMPRESSED = {"/DCTDecode", "/JPXDecode", "/JBIG2Decode", "/CCITTFaxDecode"}


def _scan(reader: PdfReader, inflated_limit: int) -> tuple[int, list[str]]:
    """Walk every object reachable from the trailer: how large its streams would expand (counting stops past
    ``inflated_limit``) and which active content it carries (described for people)."""
    inflated = 0
    found: dict[str, str] = {}
    seen: set[tuple[int, int]] = set()
    pending = [reader.trailer]
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            _active_content(item, found)
            if isinstance(item, StreamObject) and inflated <= inflated_limit:
                inflated += _expanded_size(item, inflated_limit - inflated + 1)
            pending.extend(item.values())
        elif isinstance(item, ArrayObject):
            pending.extend(item)
    return inflated, sorted(set(found.values()))


def _active_content(dictionary: DictionaryObject, found: dict) -> None:
    action = dictionary.get("/S")
    if action in RUNNING_ACTIONS:
        found[action] = RUNNING_ACTIONS[action]
    if "/JS" in dictionary:
        found["/JavaScript"] = RUNNING_ACTIONS["/JavaScript"]
    names = dictionary.get("/Names")
    if isinstance(names, DictionaryObject) and "/JavaScript" in names:
        found["/JavaScript"] = RUNNING_ACTIONS["/JavaScript"]
    opening = dictionary.get("/OpenAction")
    if opening is not None:
        opening = opening.get_object()
        if isinstance(opening, DictionaryObject) and opening.get("/S") != "/GoTo":
            found["/OpenAction"] = "an action that runs when the file is opened (/OpenAction)"
    if "/AA" in dictionary:
        found["/AA"] = "actions that run when a page or field is opened or used (/AA)"


def _expanded_size(stream: StreamObject, limit: int) -> int:
    """How many bytes ``stream`` holds once decoded, counting at most ``limit`` (Flate streams are measured by
    decompressing piece by piece, never held whole)."""
    filters = stream.get("/Filter")
    filters = [filters] if isinstance(filters, NameObject) else list(filters or [])
    raw = stream._data  # the stream as stored in the file
    if not filters or any(name in KEPT_COMPRESSED for name in filters):
        return len(raw)
    if filters == ["/FlateDecode"]:
        decompressor, size, data = zlib.decompressobj(), 0, raw
        try:
            while data and size < limit:
                size += len(decompressor.decompress(data, 1024 * 1024))
                data = decompressor.unconsumed_tail
        except zlib.error:
            return max(size, len(raw))  # damaged: a reader gets no more out of it
        return size
    try:
        return len(stream.get_data())  # other filters: pypdf limits what it expands
    except Exception:  # pypdf's limit, or damaged data: count it as the most it may be
        return limit


def _limit_processor_time(seconds: float) -> None:
    """End this process once it has used ``seconds`` of processor time (the kernel counts whole seconds)."""
    limit = max(1, math.ceil(seconds))
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (limit, hard))


def _limit_memory(memory_mb: int) -> None:
    """Let this process grow by at most ``memory_mb`` beyond what it has mapped now (a forked child starts with
    the fork server's mappings, Python and pypdf, so an absolute limit would be unclear)."""
    try:
        with open("/proc/self/statm") as statm:
            mapped = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return  # no /proc: the time limit still applies
    limit = mapped + memory_mb * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
