"""Images attached to comments: the limits, the formats taken (JPEG, PNG, WebP, GIF; never SVG), and
`reencode`, which refuses a hostile file before decoding it and otherwise decodes it and writes it anew with
Pillow: metadata (EXIF with GPS, XMP, ICC profiles, comments) left behind, orientation applied, animation
kept. Pure: bytes in, bytes out; no I/O, no clock. Storage and who may see an image are elsewhere."""

from __future__ import annotations

import io
import warnings
from typing import Any

import msgspec
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from rejoinder.domain.urls import check_text_field
from rejoinder.errors import Invalid, PayloadTooLarge, UnsupportedMediaType

# The formats taken, by Pillow's name: (media type, file extension).
FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "GIF": ("image/gif", "gif"),
    "WEBP": ("image/webp", "webp"),
}
MEDIA_TYPES = {media: fmt for fmt, (media, _) in FORMATS.items()}
EXTENSIONS = {ext: media for media, ext in FORMATS.values()}
MAX_ALT = 300


class ImageLimits(msgspec.Struct, frozen=True):
    max_bytes: int
    max_side: int
    max_pixels: int  # width × height × frames
    max_frames: int


class Reencoded(msgspec.Struct, frozen=True):
    data: bytes
    media_type: str
    extension: str
    width: int
    height: int
    frames: int


def sniff(head: bytes) -> str | None:
    """The format the file's first bytes announce (Pillow's name), or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def _unreadable() -> Invalid:
    return Invalid.field(
        "image", "image-unreadable", "The image is damaged or is not an image; try another file"
    )


def _too_big(detail: str) -> Invalid:
    return Invalid.field("image", "image-too-many-pixels", detail)


def check_upload(data: bytes, declared: str | None, limits: ImageLimits) -> str:
    """What can be refused from the bytes alone, before any decoding: size, format, and the declared type.

    Returns:
        The format's Pillow name.

    Raises:
        PayloadTooLarge: image-too-large.
        UnsupportedMediaType: image-type-unsupported (SVG, anything but JPEG/PNG/WebP/GIF) or
            image-type-mismatch (the Content-Type names another format than the bytes are).
    """
    if len(data) > limits.max_bytes:
        raise PayloadTooLarge(
            f"An image may have at most {limits.max_bytes} bytes; this one has {len(data)}",
            code="image-too-large",
        )
    media = (declared or "").split(";")[0].strip().lower()
    if media == "image/svg+xml" or data.lstrip()[:1] == b"<":
        raise UnsupportedMediaType(
            "SVG and other markup are not taken; send a JPEG, PNG, WebP or GIF image",
            code="image-type-unsupported",
        )
    found = sniff(data[:16])
    if found is None:
        raise UnsupportedMediaType("Send a JPEG, PNG, WebP or GIF image", code="image-type-unsupported")
    if media != FORMATS[found][0] and not (media == "image/jpg" and found == "JPEG"):
        raise UnsupportedMediaType(
            f"The file is {FORMATS[found][0]} but was sent as {media or 'no type'}",
            code="image-type-mismatch",
        )
    return found


def _open(data: bytes, fmt: str) -> Image.Image:
    """The image's header only (Pillow decodes nothing yet); a declared size above Pillow's own bomb limit
    is refused here as a bomb, never as a warning."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data), formats=[fmt])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_big("The image declares more pixels than any image here may have") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise _unreadable() from None


def _check_size(image: Image.Image, limits: ImageLimits) -> int:
    """Width, height and frame count against the limits, from the header (before decoding any pixel)."""
    width, height = image.size
    if width < 1 or height < 1:
        raise _unreadable()
    if width > limits.max_side or height > limits.max_side:
        raise _too_big(
            f"An image may be at most {limits.max_side} pixels wide and tall; this one is {width}×{height}"
        )
    if width * height > limits.max_pixels:
        raise _too_big(f"An image may have at most {limits.max_pixels} pixels; this one has {width * height}")
    frames = 1
    if getattr(image, "is_animated", False):
        # Counting GIF frames reads their headers, each no larger than the file (already bounded).
        frames = int(getattr(image, "n_frames", 1))
        if frames > limits.max_frames:
            raise Invalid.field(
                "image",
                "image-too-many-frames",
                f"An animated image may have at most {limits.max_frames} frames; this one has {frames}",
            )
        if width * height * frames > limits.max_pixels:
            raise _too_big(
                f"An animation may have at most {limits.max_pixels} pixels in all frames together; "
                f"this one has {width * height * frames}"
            )
    return frames


def _bare(frame: Image.Image) -> Image.Image:
    """A copy with no metadata at all: what was in `info` (EXIF, XMP, ICC, comments) stays behind."""
    copy = frame.copy()
    copy.info = {}
    return copy


def _still(image: Image.Image, fmt: str) -> tuple[Image.Image, dict[str, Any]]:
    upright = ImageOps.exif_transpose(image)  # the EXIF orientation applied to the pixels
    if fmt == "JPEG":
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        return _bare(upright), {"quality": 85, "optimize": True}
    if fmt == "PNG":
        if upright.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
            upright = upright.convert("RGBA")
        return _bare(upright), {"optimize": False}
    if fmt == "WEBP":
        if upright.mode not in ("RGB", "RGBA"):
            upright = upright.convert("RGBA")
        return _bare(upright), {"quality": 85}
    if upright.mode not in ("P", "L"):
        upright = upright.convert("P")
    return _bare(upright), {}


def _animation(image: Image.Image, fmt: str) -> tuple[Image.Image, dict[str, Any]]:
    frames: list[Image.Image] = []
    durations: list[int] = []
    for frame in ImageSequence.Iterator(image):
        durations.append(int(frame.info.get("duration", 100) or 100))
        mode = "RGBA" if fmt == "WEBP" else frame.mode
        frames.append(_bare(frame.convert(mode) if mode != frame.mode else frame))
    options: dict[str, Any] = {
        "save_all": True,
        "append_images": frames[1:],
        "duration": durations,
        "loop": int(image.info.get("loop", 0) or 0),
    }
    if fmt == "WEBP":
        options["quality"] = 85
    else:
        options["disposal"] = 2
    return frames[0], options


def reencode(data: bytes, declared: str | None, limits: ImageLimits) -> Reencoded:
    """A new file made from the image's pixels only. Refused before decoding: too many bytes, a format
    other than JPEG/PNG/WebP/GIF (SVG included), a Content-Type that names another format, a size or frame
    count over the limits (decompression bombs). Refused while decoding: a damaged file.

    Raises:
        PayloadTooLarge, UnsupportedMediaType, Invalid: with the codes of docs/errors.md (image-…).
    """
    fmt = check_upload(data, declared, limits)
    with _open(data, fmt) as image:
        frames = _check_size(image, limits)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                image.load()
                first, options = _animation(image, fmt) if frames > 1 else _still(image, fmt)
        except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombWarning):
            raise _unreadable() from None
    out = io.BytesIO()
    try:
        first.save(out, format=fmt, **options)
    except (OSError, ValueError):
        raise _unreadable() from None
    media_type, extension = FORMATS[fmt]
    return Reencoded(
        data=out.getvalue(),
        media_type=media_type,
        extension=extension,
        width=first.width,
        height=first.height,
        frames=frames,
    )


def clean_alt(alt: str | None) -> str:
    """An image's text alternative: one line, at most MAX_ALT characters."""
    check_text_field(alt or "", "images.alt")
    text = " ".join((alt or "").split())
    if len(text) > MAX_ALT:
        raise Invalid.field(
            "images.alt", "image-alt-too-long", f"A text alternative has at most {MAX_ALT} characters"
        )
    return text


def check_count(count: int, max_count: int) -> None:
    if count > max_count:
        raise Invalid.field(
            "images",
            "too-many-images",
            f"A comment may have at most {max_count} image{'s' * (max_count != 1)}",
        )
