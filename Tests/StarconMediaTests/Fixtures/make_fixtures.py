"""Makes the photo fixtures of the media tests (run once; the files are committed):
oriented.jpg  60x40 pixels, EXIF orientation 6 (shown 40x60), with GPS coordinates and a camera name
alpha.png     50x30 RGBA with a transparent half and a text chunk
anim.gif      two frames, 20x20
photo.webp    30x30
bomb.png      6000x6000 pixels (36 megapixels, over the limit) in a few kilobytes
notes.txt     not an image
large.jpg     2400x1600, upright, four coloured quadrants, with EXIF (GPS, camera), XMP, an ICC profile, a comment
              and bytes after its end: made smaller by shrink-on-load, its original kept losslessly minus all of these
large-oriented.jpg  the same pixels with EXIF orientation 8 (shown 1600x2400) and GPS: decoded in full, re-encoded"""
import struct
import zlib
from pathlib import Path

from PIL import Image, ImageCms, PngImagePlugin

here = Path(__file__).parent

image = Image.new("RGB", (60, 40), (220, 30, 30))
image.paste((30, 30, 220), (30, 0, 60, 40))
exif = Image.Exif()
exif[0x0112] = 6          # Orientation: rotate 90° clockwise to show
exif[0x010F] = "SpyCam"   # Make
gps = {1: "N", 2: (37.0, 33.0, 59.0), 3: "E", 4: (126.0, 58.0, 40.0)}
exif[0x8825] = gps
image.save(here / "oriented.jpg", exif=exif.tobytes(), quality=90)

alpha = Image.new("RGBA", (50, 30), (0, 160, 0, 255))
alpha.paste((0, 0, 0, 0), (25, 0, 50, 30))
info = PngImagePlugin.PngInfo()
info.add_text("Comment", "secret location")
alpha.save(here / "alpha.png", pnginfo=info)

frames = [Image.new("RGB", (20, 20), color) for color in [(255, 200, 0), (0, 0, 0)]]
frames[0].save(here / "anim.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)

Image.new("RGB", (30, 30), (120, 60, 200)).save(here / "photo.webp", quality=80)


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


side = 6000
compressor = zlib.compressobj(9)
body = b"".join(compressor.compress(b"\x00" * (side + 1)) for _ in range(side)) + compressor.flush()
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
(here / "bomb.png").write_bytes(png)

(here / "notes.txt").write_text("Meeting notes: nothing here is a picture.\n")


def large_photo():
    picture = Image.new("RGB", (2400, 1600), (220, 30, 30))
    picture.paste((30, 30, 220), (1200, 0, 2400, 800))
    picture.paste((30, 200, 30), (0, 800, 1200, 1600))
    picture.paste((240, 220, 20), (1200, 800, 2400, 1600))
    return picture


def large_exif(orientation):
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    exif[0x010F] = "SpyCam"
    exif[0x8825] = {1: "N", 2: (37.0, 33.0, 59.0), 3: "E", 4: (126.0, 58.0, 40.0)}
    return exif.tobytes()


icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description photoshop:City="SecretCity"/></x:xmpmeta>'
large_photo().save(here / "large.jpg", exif=large_exif(None), xmp=xmp, icc_profile=icc, comment=b"SecretComment", quality=85)
with open(here / "large.jpg", "ab") as file:
    file.write(b"SecretTrailer after the end of the image")
large_photo().save(here / "large-oriented.jpg", exif=large_exif(8), quality=85)
