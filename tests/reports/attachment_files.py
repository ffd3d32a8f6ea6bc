"""Real files for attachment tests, made with Pillow and pypdf: a phone photo with GPS, a PDF with an author."""

import io

from PIL import ExifTags, Image, PngImagePlugin
from pypdf import PdfWriter
from pypdf.generic import StreamObject

SECRET_AUTHOR = "Monitor Hidden-Name"
GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (35.0, 31.0, 12.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (35.0, 47.0, 0.0),
}


def gps_exif(*, orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone 12"
    exif[ExifTags.Base.Artist] = SECRET_AUTHOR
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = GPS
    return exif


def photo_pixels(size=(64, 32)) -> Image.Image:
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, size[0] // 2, size[1]))  # left half blue: shows the orientation
    return image


def jpeg_with_gps(*, orientation: int = 1, size=(64, 32)) -> bytes:
    out = io.BytesIO()
    photo_pixels(size).save(out, format="JPEG", exif=gps_exif(orientation=orientation), comment=SECRET_AUTHOR.encode())
    return out.getvalue()


def png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", SECRET_AUTHOR)
    out = io.BytesIO()
    photo_pixels().save(out, format="PNG", pnginfo=info, exif=gps_exif())
    return out.getvalue()


def webp_with_gps() -> bytes:
    out = io.BytesIO()
    photo_pixels().save(out, format="WEBP", exif=gps_exif())
    return out.getvalue()


def pdf_with_author() -> bytes:
    """A one-page PDF showing the GPS-tagged JPEG verbatim (EXIF inside), with an author in its Info and XMP."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject, NumberObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=100)
    photo = jpeg_with_gps()
    image = StreamObject()
    image._data = photo
    image.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(64),
            NameObject("/Height"): NumberObject(32),
            NameObject("/ColorSpace"): NameObject("/DeviceRGB"),
            NameObject("/BitsPerComponent"): NumberObject(8),
            NameObject("/Filter"): NameObject("/DCTDecode"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/XObject"): DictionaryObject({NameObject("/Im0"): writer._add_object(image)})}
    )
    contents = DecodedStreamObject()
    contents.set_data(b"q 128 0 0 64 36 18 cm /Im0 Do Q")
    page[NameObject("/Contents")] = writer._add_object(contents)
    page[NameObject("/MediaBox")] = ArrayObject(
        [NumberObject(0), NumberObject(0), NumberObject(200), NumberObject(100)]
    )
    writer.add_metadata({"/Author": SECRET_AUTHOR, "/Title": "Statement"})
    xmp = DecodedStreamObject()
    xmp.set_data(f"<x:xmpmeta><dc:creator>{SECRET_AUTHOR}</dc:creator></x:xmpmeta>".encode())
    xmp.update({NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")})
    writer._root_object[NameObject("/Metadata")] = writer._add_object(xmp)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
