"""Makes the photo fixtures of the media tests (run once; the files are committed):
oriented.jpg  60x40 pixels, EXIF orientation 6 (shown 40x60), with GPS coordinates and a camera name
alpha.png     50x30 RGBA with a transparent half and a text chunk
anim.gif      two frames, 20x20
photo.webp    30x30
bomb.png      6000x6000 pixels (36 megapixels, over the limit) in a few kilobytes
notes.txt     not an image"""
import struct
import zlib
from pathlib import Path

from PIL import Image, PngImagePlugin

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
