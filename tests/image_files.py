"""Image files for the cover-image tests: photos with metadata, and hostile uploads."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image, ImageCms

GPS = 0x8825
ORIENTATION = 0x0112
ROTATED_90 = 6  # the camera was held upright: the stored pixels are landscape, shown turned a quarter


def photo(width: int = 2000, height: int = 1000, *, format: str = "JPEG", color=(30, 120, 160), **save) -> bytes:
    """A picture with a gradient (so encoders have something to do) and a red square in its top-left corner."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    image = Image.blend(image, Image.new("RGB", (width, height), color), 0.5)
    image.paste((220, 20, 20), (0, 0, width // 8, height // 8))
    out = io.BytesIO()
    image.save(out, format, **save)
    return out.getvalue()


def phone_photo(width: int = 1200, height: int = 900) -> bytes:
    """A JPEG as a phone writes it: EXIF with a GPS position and the orientation, an ICC profile, XMP."""
    exif = Image.Exif()
    exif[ORIENTATION] = ROTATED_90
    exif[0x010F] = "PhoneMaker"
    exif[GPS] = {1: "N", 2: (10.0, 2.0, 3.0), 3: "E", 4: (105.0, 46.0, 0.0)}
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description GPSLatitude="10,2N"/></rdf:RDF></x:xmpmeta>'
    return photo(width, height, exif=exif, icc_profile=profile, xmp=xmp)


def png_bomb(side: int = 20_000) -> bytes:
    """A real PNG of side × side black pixels: about 50 kB on disk, 400 million pixels decoded."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit greyscale
    row = b"\0" * (1 + (side + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


PHP = b"<?php system($_GET['c']); ?>\n"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'


def truncated_jpeg() -> bytes:
    data = photo(800, 600)
    return data[: len(data) // 2]


def stored_image_name(app) -> str:
    """Store a small cover image in the app's media directory; the name of one of its files."""
    from exchange.services.images import prepare_image, store_image

    with app.test_request_context():
        image = prepare_image(io.BytesIO(photo(600, 300)))
        store_image(image)
    return f"{image.hash}-480.webp"
