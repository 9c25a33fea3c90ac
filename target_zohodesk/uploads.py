"""Where an attachment's ``filePath`` may read from: only inside config ``attachments_dir``.

Unset (the default), no local file is read at all: a record must carry ``name`` and
``contentBase64``. Set, a path is taken relative to that folder, resolved (``..`` and
symlinks followed) and refused when the file it lands on is outside it.
"""

from __future__ import annotations

from pathlib import Path

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
