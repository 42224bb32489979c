"""Cleaning what tipsters upload: only types whose hidden data we know how to remove get through.

- Images (JPEG, PNG, GIF, WebP, checked by decoding them, not by name) are re-drawn from their pixels
  into a new image: EXIF (GPS, camera serial, time), XMP, IPTC, ICC profiles and comments are not
  carried over. EXIF orientation is applied first so the picture stays upright.
- PDFs (``%PDF-`` and a parse by pypdf) are rebuilt page by page without the document information
  (author, creator, dates), the XMP metadata and the pages' own metadata and annotations.
- Anything else is refused, saying why: we could not promise its hidden data is gone.
"""

import io
import warnings
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from pypdf.generic import NameObject

MAX_ATTACHMENT_BYTES = 8 * 1024 * 1024
MAX_ATTACHMENTS = 5
# The whole request, files and text; a bigger one is refused before it is read.
MAX_REQUEST_BYTES = MAX_ATTACHMENTS * MAX_ATTACHMENT_BYTES + 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
IMAGE_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
# Page keys that carry metadata or other people's marks rather than the page's content.
PDF_PAGE_KEYS_DROPPED = ("/Metadata", "/PieceInfo", "/Annots", "/LastModified")


class AttachmentRefused(Exception):
    """The file cannot be accepted; ``str(exc)`` says why, for the tipster."""


@dataclass(frozen=True)
class CleanFile:
    kind: str  # TipAttachment.Kind value
    content_type: str
    extension: str
    data: bytes


def attachment_clean(*, data: bytes, name: str) -> CleanFile:
    """Return the file without its metadata, or raise ``AttachmentRefused``."""
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise AttachmentRefused(
            _("“%(name)s” is larger than %(limit)s MB. Send a smaller file.")
            % {"name": name, "limit": MAX_ATTACHMENT_BYTES // (1024 * 1024)}
        )
    if not data:
        raise AttachmentRefused(_("“%(name)s” is empty.") % {"name": name})
    if data.startswith(b"%PDF-"):
        return _clean_pdf(data, name)
    return _clean_image(data, name)


def _clean_image(data: bytes, name: str) -> CleanFile:
    unsupported = AttachmentRefused(
        _(
            "“%(name)s” is not a photo or a PDF. We only accept JPEG, PNG, GIF or WebP images and PDF "
            "documents, because for other kinds of file we cannot remove the hidden data (such as a "
            "location, a name or a device) that could identify you."
        )
        % {"name": name}
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in IMAGE_FORMATS:
                    raise unsupported
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    raise AttachmentRefused(_("“%(name)s” has too many pixels.") % {"name": name})
                image.load()
                image = ImageOps.exif_transpose(image)
                return _redraw(image)
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise unsupported from None
    except (OSError, SyntaxError, ValueError):
        raise AttachmentRefused(_("“%(name)s” looks damaged and cannot be read.") % {"name": name}) from None


def _redraw(image: Image.Image) -> CleanFile:
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    mode = "RGBA" if has_alpha else "RGB"
    pixels = image.convert(mode)
    # A new image from the pixel bytes alone: no info dict, no EXIF, no ICC profile to carry over.
    clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    if has_alpha:
        clean.save(out, format="PNG", optimize=True)
        return CleanFile(kind="image", content_type="image/png", extension="png", data=out.getvalue())
    clean.save(out, format="JPEG", quality=90)
    return CleanFile(kind="image", content_type="image/jpeg", extension="jpg", data=out.getvalue())


def _clean_pdf(data: bytes, name: str) -> CleanFile:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise AttachmentRefused(
                _("“%(name)s” is protected with a password. Send it without the password protection.") % {"name": name}
            )
        writer = PdfWriter()
        for page in reader.pages:
            added = writer.add_page(page)
            for key in PDF_PAGE_KEYS_DROPPED:
                added.pop(NameObject(key), None)
        # No document information (author, producer, dates) and no XMP stream.
        writer.metadata = None
        writer._root_object.pop(NameObject("/Metadata"), None)
        out = io.BytesIO()
        writer.write(out)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError):
        raise AttachmentRefused(_("“%(name)s” looks like a damaged PDF and cannot be read.") % {"name": name}) from None
    return CleanFile(kind="pdf", content_type="application/pdf", extension="pdf", data=out.getvalue())
