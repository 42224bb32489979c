"""A PDF comes out as pictures of its pages: nothing of the upload survives but what it looks like."""

import io

import pypdfium2
import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    StreamObject,
    TextStringObject,
)
from reportlab import rl_config
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from tests.tips.conftest import jpeg_with_gps, named, settle_tips, submit_tip
from tips import attachments
from tips.attachments import AttachmentRefused, attachment_clean
from tips.models import TipAttachment

XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description>Scanned by Jane on her PixelScan'
    b"</rdf:Description></x:xmpmeta>"
)


def scan_to_pdf() -> bytes:
    """What a phone's scan-to-PDF makes: the camera's JPEG (EXIF with GPS) embedded as it is, plus
    page JavaScript run on open (/AA), XMP metadata and named optional-content layers."""
    photo = Image.open(io.BytesIO(jpeg_with_gps()))
    big = io.BytesIO()
    # A bigger red photo, still carrying the camera's EXIF (GPS included).
    photo.resize((400, 300)).save(big, format="JPEG", exif=photo.getexif(), comment=b"taken by jane")
    out = io.BytesIO()
    rl_config.useA85 = 0  # the JPEG goes in byte for byte, as scanning apps embed it
    try:
        canvas = Canvas(out, pagesize=(400, 300))
        canvas.drawImage(ImageReader(io.BytesIO(big.getvalue())), 0, 0, width=400, height=300)
        canvas.showPage()
        canvas.save()
    finally:
        rl_config.useA85 = 1

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(out.getvalue())))
    page = writer.pages[0]
    script = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.launchURL('https://tracker.example/opened?who=jane');"),
        }
    )
    page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): writer._add_object(script)})
    layer = writer._add_object(
        DictionaryObject(
            {NameObject("/Type"): NameObject("/OCG"), NameObject("/Name"): TextStringObject("Jane Doe private notes")}
        )
    )
    writer._root_object[NameObject("/OCProperties")] = DictionaryObject(
        {
            NameObject("/OCGs"): ArrayObject([layer]),
            NameObject("/D"): DictionaryObject({NameObject("/ON"): ArrayObject([layer])}),
        }
    )
    xmp = StreamObject()
    xmp.set_data(XMP)
    xmp.update({NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")})
    writer._root_object[NameObject("/Metadata")] = writer._add_object(xmp)
    writer.add_metadata({"/Author": "Jane Q. Tipster"})
    result = io.BytesIO()
    writer.write(result)
    return result.getvalue()


def test_the_test_scan_carries_everything_a_real_one_does():
    data = scan_to_pdf()
    assert b"SpyCam" in data and b"Exif" in data  # the JPEG went in with its EXIF, GPS included
    reader = PdfReader(io.BytesIO(data))
    assert "/AA" in reader.pages[0] and "/OCProperties" in reader.trailer["/Root"]
    assert b"Scanned by Jane" in data and b"Jane Doe private notes" in data


def assert_nothing_but_pictures(cleaned: bytes) -> None:
    for trace in (b"SpyCam", b"Exif", b"taken by jane", b"JavaScript", b"tracker.example", b"Jane", b"xmpmeta"):
        assert trace not in cleaned, trace
    reader = PdfReader(io.BytesIO(cleaned))
    assert not reader.metadata
    root = reader.trailer["/Root"]
    assert set(root.keys()) <= {"/Type", "/Pages", "/PageMode"}
    for page in reader.pages:
        assert set(page.keys()) <= {"/Type", "/Parent", "/Resources", "/MediaBox", "/Contents", "/Rotate", "/Trans"}
        resources = page["/Resources"]
        assert set(resources.keys()) <= {"/XObject", "/ProcSet"}
        for image in page.images:
            picture = Image.open(io.BytesIO(image.data))
            assert not picture.getexif() and "exif" not in picture.info and "comment" not in picture.info


def test_a_scan_with_gps_exif_javascript_xmp_and_layers_comes_out_as_pixels_only():
    cleaned = attachment_clean(data=scan_to_pdf(), name="scan.pdf")
    assert cleaned.content_type == "application/pdf"
    assert_nothing_but_pictures(cleaned.data)
    # It still shows the page: same size, the red photo where it was.
    document = pypdfium2.PdfDocument(cleaned.data)
    assert len(document) == 1
    assert document[0].get_size() == pytest.approx((400, 300), abs=1)
    shown = document[0].render(scale=1).to_pil().convert("RGB")
    red, green, blue = shown.getpixel((200, 150))
    assert red > 150 and green < 100 and blue < 100


def test_a_tipsters_scan_reaches_reviewers_as_pictures(client, reviewer_client, db):
    assert submit_tip(client, files=[named(scan_to_pdf(), "scan.pdf")]).status_code == 200
    settle_tips()  # reviewers see what a tipster sent once its hour is over
    attachment = TipAttachment.objects.get()
    response = reviewer_client.get(f"/admin/tips/tip/attachment/{attachment.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert_nothing_but_pictures(response.content)


def test_text_drawn_on_a_page_survives_only_as_pixels():
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(300, 100))
    canvas.setFont("Courier-Bold", 30)
    canvas.drawString(10, 40, "PLATE 7QK-4812")
    canvas.showPage()
    canvas.save()
    cleaned = attachment_clean(data=out.getvalue(), name="note.pdf").data
    assert b"7QK-4812" not in cleaned and b"Courier" not in cleaned and b"/Font" not in cleaned
    shown = pypdfium2.PdfDocument(cleaned)[0].render(scale=1).to_pil().convert("L")
    assert shown.getextrema()[0] < 80  # the dark letters are there, drawn


def many_pages(count: int, size=(612, 792)) -> bytes:
    writer = PdfWriter()
    for _ in range(count):
        writer.add_blank_page(width=size[0], height=size[1])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pdf_over_the_page_limit_is_refused_before_any_page_is_drawn():
    with pytest.raises(AttachmentRefused, match=f"more than {attachments.MAX_PDF_PAGES} pages"):
        attachment_clean(data=many_pages(20_000), name="huge.pdf")


def test_a_poster_sized_page_is_drawn_within_the_pixel_limit():
    cleaned = attachment_clean(data=many_pages(1, size=(14_400, 14_400)), name="poster.pdf").data
    [image] = PdfReader(io.BytesIO(cleaned)).pages[0].images
    width, height = Image.open(io.BytesIO(image.data)).size
    assert width * height <= attachments.MAX_PDF_PAGE_PIXELS


def test_the_files_of_one_request_share_one_budget_of_pixels(monkeypatch):
    monkeypatch.setattr(attachments, "MAX_REQUEST_PIXELS", 5_000)  # one 64 × 48 photo, not two
    photo = jpeg_with_gps()
    assert len(attachments.attachments_clean([(photo, "one.jpg")])) == 1
    with pytest.raises(AttachmentRefused, match="more than we can prepare in one go"):
        attachments.attachments_clean([(photo, "one.jpg"), (photo, "two.jpg")])
