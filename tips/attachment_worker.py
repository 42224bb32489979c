"""The process that turns an uploaded file into pixels, run by tips/attachments.py, never imported by Django.

It reads one file on standard input and writes the clean file on standard output. Everything it
does with hostile bytes happens after it has lowered its own priority and capped its CPU time,
memory and file writes, so a decompression bomb, a 20,000-page PDF or a crash in a decoder costs
this process, not a web worker. It imports only the standard library, Pillow, pypdfium2,
reportlab and pypdf (run with ``python -I``: no environment, no current directory on the path).

Usage: ``python -I attachment_worker.py LIMITS_JSON``; the parent reads the exit status:
0 and ``{"kind", "content_type", "extension"}`` on the first line, then the file; 3 and
``{"refused": code, ...}`` for a file we will not accept.
"""

import ctypes
import faulthandler
import io
import json
import math
import os
import resource
import sys
import warnings

REFUSED = 3
# prctl(2) options.
PR_SET_DUMPABLE = 4
PR_GET_DUMPABLE = 3


class Refused(Exception):
    def __init__(self, code: str, **detail):
        super().__init__(code)
        self.answer = {"refused": code, **detail}


def confine(limits: dict) -> None:
    """Lowest priority and hard caps, set before the first byte of the upload is read."""
    os.nice(19)
    cpu = limits["cpu_seconds"]
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))  # SIGXCPU, then SIGKILL
    memory = limits["memory_bytes"]
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # no file is ever written
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # and no core dump of the upload
    # A crash (a decoder's fault, SIGXCPU at the CPU cap) must leave no record dated to the second:
    # a core_pattern pipe (systemd-coredump, apport) is run even with RLIMIT_CORE at 0 and logs
    # "process N (python) dumped core / terminated abnormally"; a process that is not dumpable is
    # never handed to it. And a fault caught by faulthandler (writing to our stderr, which the web
    # process discards) is not one the kernel reports ("python[N]: segfault at …" in its log).
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    faulthandler.enable()


def clean(data: bytes, limits: dict) -> tuple[dict, bytes]:
    if data.startswith(b"%PDF-"):
        return clean_pdf(data, limits)
    return clean_image(data, limits)


def clean_image(data: bytes, limits: dict) -> tuple[dict, bytes]:
    from PIL import Image, ImageOps, UnidentifiedImageError

    max_pixels = limits["image_pixels"]
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Image.open reads the header only: the size is known before a pixel is decoded.
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in {"JPEG", "PNG", "GIF", "WEBP"}:
                    raise Refused("unsupported")
                if probe.width * probe.height > max_pixels:
                    raise Refused("too_many_pixels")
                if probe.width * probe.height > limits["pixel_budget"]:
                    raise Refused("request_pixels")
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()  # the first frame only: an animation's other frames are never decoded
                pixels = image.width * image.height
                image = ImageOps.exif_transpose(image)
                header, cleaned = redraw(image)
                return {**header, "pixels": pixels}, cleaned
    except UnidentifiedImageError:
        raise Refused("unsupported") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Refused("too_many_pixels") from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise Refused("damaged") from None


def redraw(image) -> tuple[dict, bytes]:
    from PIL import Image

    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    mode = "RGBA" if has_alpha else "RGB"
    pixels = image.convert(mode)
    # A new image from the pixel bytes alone: no info dict, no EXIF, no ICC profile to carry over.
    clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
    del pixels
    out = io.BytesIO()
    if has_alpha:
        clean.save(out, format="PNG")
        return {"kind": "image", "content_type": "image/png", "extension": "png"}, out.getvalue()
    clean.save(out, format="JPEG", quality=90)
    return {"kind": "image", "content_type": "image/jpeg", "extension": "jpg"}, out.getvalue()


def clean_pdf(data: bytes, limits: dict) -> tuple[dict, bytes]:
    """Dangerzone's way: draw every page to pixels, then make a new PDF of those pictures only.

    Nothing of the original document is copied: not its text, fonts, links, scripts, forms,
    attachments, layers, metadata nor its embedded images (whose EXIF would carry a location);
    only what each page looks like, as a JPEG drawn by us.
    """
    import pypdfium2 as pdfium
    from PIL import Image
    from reportlab import rl_config
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium.raw.FPDF_ERR_PASSWORD:
            raise Refused("encrypted") from None
        raise Refused("damaged_pdf") from None
    pages = len(document)
    if pages == 0:
        raise Refused("damaged_pdf")
    if pages > limits["pdf_pages"]:
        raise Refused("too_many_pages", pages=pages)
    rl_config.useA85 = 0  # the page pictures are stored as plain JPEG, not re-encoded as text
    sizes = [_page_size(document, index, limits) for index in range(pages)]
    pixels = sum(width * height for _points, (width, height) in sizes)
    if pixels > limits["pixel_budget"]:
        raise Refused("request_pixels")
    out = io.BytesIO()
    # invariant: no creation time and no time-derived document id (a tip is dated to the hour only).
    canvas = Canvas(out, invariant=1, pageCompression=1)
    canvas.setProducer("")
    canvas.setCreator("")
    canvas.setAuthor("")
    for index, ((width, height), _pixels) in enumerate(sizes):
        page = document[index]
        try:
            bitmap = page.render(scale=_scale(width, height, limits))
        except pdfium.PdfiumError:
            raise Refused("damaged_pdf") from None
        drawn = bitmap.to_pil().convert("RGB")
        clean = Image.frombytes("RGB", drawn.size, drawn.tobytes())
        del drawn, bitmap
        picture = io.BytesIO()
        clean.save(picture, format="JPEG", quality=80)
        del clean
        canvas.setPageSize((width, height))
        canvas.drawImage(ImageReader(picture), 0, 0, width=width, height=height)
        canvas.showPage()
        page.close()
    document.close()
    canvas.save()
    header = {"kind": "pdf", "content_type": "application/pdf", "extension": "pdf", "pixels": pixels}
    return header, without_information(out)


def _scale(width: float, height: float, limits: dict) -> float:
    # A poster-sized page is drawn at a lower resolution, so that no page costs more than this.
    scale = min(limits["pdf_dpi"] / 72, math.sqrt(limits["pdf_page_pixels"] / (width * height)))
    while math.ceil(width * scale) * math.ceil(height * scale) > limits["pdf_page_pixels"]:
        scale *= 0.99  # the drawing is rounded up to whole pixels
    return scale


def _page_size(document, index: int, limits: dict) -> tuple[tuple[float, float], tuple[int, int]]:
    """A page's size in points, and in pixels as we will draw it."""
    import pypdfium2 as pdfium

    try:
        page = document[index]
        width, height = page.get_size()
        page.close()
    except pdfium.PdfiumError:
        raise Refused("damaged_pdf") from None
    if not (width > 0 and height > 0):
        raise Refused("damaged_pdf")
    scale = _scale(width, height, limits)
    return (width, height), (math.ceil(width * scale), math.ceil(height * scale))


def without_information(pdf: io.BytesIO) -> bytes:
    """reportlab always writes a (constant) document information dictionary and a font; we want neither."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    writer = PdfWriter()
    for page in PdfReader(pdf).pages:
        page[NameObject("/Resources")].pop(NameObject("/Font"), None)
        writer.add_page(page)  # copies what the page refers to, and only that
    writer.metadata = None
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def main() -> int:
    limits = json.loads(sys.argv[1])
    confine(limits)
    data = sys.stdin.buffer.read(limits["file_bytes"] + 1)
    try:
        header, cleaned = clean(data, limits)
    except Refused as refused:
        sys.stdout.write(json.dumps(refused.answer) + "\n")
        return REFUSED
    except MemoryError:  # RLIMIT_AS reached: the file needs more than we give any one file
        sys.stdout.write(json.dumps({"refused": "too_much_work"}) + "\n")
        return REFUSED
    sys.stdout.buffer.write(json.dumps(header).encode() + b"\n" + cleaned)
    return 0


if __name__ == "__main__":
    sys.exit(main())
