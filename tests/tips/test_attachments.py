"""Files lose their hidden data before they are stored, and reach reviewers that way."""

import io

import pytest
from PIL import Image
from pypdf import PdfReader

from tests.tips.conftest import jpeg_with_gps, named, pdf_with_author, settle_tips, submit_tip
from tips.attachments import AttachmentRefused, attachment_clean
from tips.models import TipAttachment, TipAuditEntry

pytestmark = pytest.mark.django_db


def download(reviewer_client, attachment):
    response = reviewer_client.get(f"/admin/tips/tip/attachment/{attachment.pk}/")
    assert response.status_code == 200
    return response


def test_a_jpeg_with_gps_exif_reaches_reviewers_with_no_exif_at_all(client, reviewer_client):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test file does carry GPS
    assert submit_tip(client, files=[named(original, "IMG_2041.jpg")]).status_code == 200
    settle_tips()
    attachment = TipAttachment.objects.get()
    response = download(reviewer_client, attachment)
    served = response.content
    assert response["Content-Type"] == "image/jpeg"
    assert "attachment;" in response["Content-Disposition"] and "IMG_2041" not in response["Content-Disposition"]
    image = Image.open(io.BytesIO(served))
    assert image.format == "JPEG"
    assert image.size == (64, 48)
    assert not image.getexif()
    assert "exif" not in image.info and "comment" not in image.info and "icc_profile" not in image.info
    assert b"Exif" not in served and b"SpyCam" not in served and b"taken by jane" not in served
    # The picture itself is kept.
    assert image.convert("RGB").getpixel((10, 10))[0] > 150
    assert TipAuditEntry.objects.filter(action="attachment_downloaded").count() == 1


def test_a_pdf_with_an_author_loses_it(client, reviewer_client):
    assert PdfReader(io.BytesIO(pdf_with_author())).metadata["/Author"] == "Jane Q. Tipster"
    assert submit_tip(client, files=[named(pdf_with_author(), "notes.pdf")]).status_code == 200
    settle_tips()
    served = download(reviewer_client, TipAttachment.objects.get()).content
    reader = PdfReader(io.BytesIO(served))
    assert len(reader.pages) == 1
    assert not reader.metadata
    assert "/Metadata" not in reader.trailer["/Root"]
    assert b"Jane" not in served and b"Notes about my neighbour" not in served


def test_an_image_with_an_xmp_packet_and_icc_profile_loses_them():
    image = Image.new("RGB", (20, 20), "blue")
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=_png_text("XML:com.adobe.xmp", "<x:xmpmeta>Jane's phone</x:xmpmeta>"))
    cleaned = attachment_clean(data=out.getvalue(), name="x.png")
    assert cleaned.content_type == "image/jpeg"
    assert b"xmpmeta" not in cleaned.data and b"Jane" not in cleaned.data


def test_transparency_is_kept_as_png():
    image = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, format="PNG")
    cleaned = attachment_clean(data=out.getvalue(), name="x.png")
    assert cleaned.content_type == "image/png"
    assert Image.open(io.BytesIO(cleaned.data)).mode == "RGBA"


def test_exif_orientation_is_applied_before_it_is_dropped():
    image = Image.new("RGB", (40, 20), "green")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° to display
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    cleaned = Image.open(io.BytesIO(attachment_clean(data=out.getvalue(), name="x.jpg").data))
    assert cleaned.size == (20, 40)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"PK\x03\x04word", "cannot remove the hidden data"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "cannot remove the hidden data"),
        (b"%PDF-1.4 not really a pdf", "damaged PDF"),
        (b"", "is empty"),
    ],
)
def test_files_we_cannot_clean_are_refused_saying_why(data, reason):
    with pytest.raises(AttachmentRefused, match=reason):
        attachment_clean(data=data, name="file")


def test_a_tiff_is_refused_even_though_pillow_reads_it():
    out = io.BytesIO()
    Image.new("RGB", (5, 5)).save(out, format="TIFF")
    with pytest.raises(AttachmentRefused, match="not a photo or a PDF"):
        attachment_clean(data=out.getvalue(), name="scan.tiff")


def test_a_password_protected_pdf_is_refused():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(AttachmentRefused, match="password"):
        attachment_clean(data=out.getvalue(), name="locked.pdf")


def _png_text(key, value):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_itxt(key, value)
    return info
