"""The only module that imports Pillow: uploaded photos and logos, checked and re-encoded.

An upload is trusted for nothing: its type is read from its content (not its name or the browser's
word), and it is decoded and encoded again so that metadata (EXIF, GPS, comments) and anything
smuggled after the image data are dropped. Files get random names under the instance folder.
"""

from __future__ import annotations

import io
import re
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from PIL import Image, UnidentifiedImageError

from advocacy.domain.errors import RuleError
from advocacy.domain.text import N_

MAX_BYTES: Final = 2 * 1024 * 1024
MAX_PIXELS: Final = 40_000_000  # larger is a decompression bomb, not a logo
MAX_SIDE: Final = 2000  # what any page needs; keeps stored files small
FORMATS: Final = {"PNG": "png", "JPEG": "jpg", "GIF": "png", "WEBP": "png"}
NAME: Final = re.compile(r"^[A-Za-z0-9_-]{22,64}\.(png|jpg)$")


@dataclass(frozen=True)
class Picture:
    data: bytes
    extension: str  # png | jpg


def reencode(data: bytes) -> Picture:
    """A clean PNG or JPEG from an uploaded image, or a refusal the client can act on."""
    if len(data) > MAX_BYTES:
        raise RuleError(N_("The image is larger than 2 MB."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                kind = probe.format or ""
                if kind not in FORMATS or probe.width * probe.height > MAX_PIXELS:
                    raise RuleError(N_("The file is not a PNG, JPEG, GIF or WebP image."))
                probe.load()
                image = probe.copy()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise RuleError(N_("The file is not a PNG, JPEG, GIF or WebP image.")) from None
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    extension = FORMATS[kind]
    out = io.BytesIO()
    if extension == "jpg":
        # A new image from the pixels alone: no EXIF, ICC or comment survives.
        clean = Image.new("RGB", image.size)
        clean.paste(image.convert("RGB"))
        clean.save(out, format="JPEG", quality=88)
    else:
        mode = "RGBA" if image.mode in {"RGBA", "LA", "P", "PA"} else "RGB"
        clean = Image.new(mode, image.size)
        clean.paste(image.convert(mode))
        clean.save(out, format="PNG", optimize=True)
    return Picture(out.getvalue(), extension)


class PictureStore:
    """Re-encoded pictures in one folder, under random names."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def save(self, picture: Picture) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{secrets.token_urlsafe(18)}.{picture.extension}"
        (self.folder / name).write_bytes(picture.data)
        return name

    def path_of(self, name: str) -> Path | None:
        """The file for a stored name; None for anything that is not one of our names."""
        if not NAME.fullmatch(name or ""):
            return None
        path = self.folder / name
        return path if path.is_file() else None
