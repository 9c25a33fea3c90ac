"""Where an attachment's ``filePath`` may read from: only inside config ``attachments_dir``.

Unset (the default), no local file is read at all: a record must carry ``name`` and
``contentBase64``. Set, a path is taken relative to that folder, resolved (``..`` and
symlinks followed) and refused when the file it lands on is outside it. ``upload`` is a plan's
multipart body builder (api/plans.py).
"""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path

from tap_zohodesk.api.plans import WritePlan
from target_zohodesk.outcome import RecordError


def allowed_file(stream: str, file_path: object, attachments_dir: str | None) -> Path:
    """The file a record's ``filePath`` names, when it lies inside config ``attachments_dir``
    (relative paths are taken from there; symlinks are followed before judging), else RecordError."""
    if not attachments_dir:
        raise RecordError(f"{stream}: filePath is refused: set attachments_dir (the folder uploads may come "
                          "from) or send name and contentBase64")
    root = Path(attachments_dir).resolve()
    try:
        path = (root / str(file_path)).resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        raise RecordError(f"{stream}: filePath {str(file_path)!r} is not a readable file in attachments_dir") from None
    if not path.is_relative_to(root):
        raise RecordError(f"{stream}: filePath {str(file_path)!r} leads out of attachments_dir: refused")
    if not path.is_file():
        raise RecordError(f"{stream}: filePath {str(file_path)!r} is not a readable file in attachments_dir")
    return path


def upload(plan: WritePlan, record: dict, links: dict, attachments_dir: str | None) -> tuple:
    """(verb, path, None, files): the file from ``filePath`` (inside ``attachments_dir``) or
    ``name`` and ``contentBase64``; ``isPublic`` goes in the query."""
    if record.get("filePath"):
        path = allowed_file(plan.stream, record["filePath"], attachments_dir)
        name, content = record.get("name") or path.name, path.read_bytes()
    elif record.get("contentBase64") and record.get("name"):
        name, content = record["name"], base64.b64decode(record["contentBase64"])
    else:
        raise RecordError(f"{plan.stream}: INSERT needs filePath, or name and contentBase64 (the file)")
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    path = plan.path.format(**links)
    if record.get("isPublic") is not None:
        path += f"?isPublic={str(bool(record['isPublic'])).lower()}"
    return plan.verb, path, None, {"file": (name, content, kind)}
