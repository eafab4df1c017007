import Foundation

/// Pictures for the demo network, painted from code (no files shipped, nothing fetched): a sky, a sun,
/// hills, and a few shapes in a palette per scene, written as PNG with stored (uncompressed) deflate blocks.
enum DemoPictures {
    struct Palette {
        let skyTop: (UInt8, UInt8, UInt8)
        let skyBottom: (UInt8, UInt8, UInt8)
        let sun: (UInt8, UInt8, UInt8)
        let hills: (UInt8, UInt8, UInt8)
        let ground: (UInt8, UInt8, UInt8)
    }

    static let palettes: [Palette] = [
        Palette(skyTop: (70, 130, 200), skyBottom: (190, 220, 245), sun: (255, 230, 120), hills: (60, 120, 80), ground: (90, 160, 90)),
        Palette(skyTop: (40, 30, 90), skyBottom: (240, 140, 90), sun: (255, 200, 80), hills: (70, 50, 90), ground: (110, 80, 70)),
        Palette(skyTop: (150, 170, 190), skyBottom: (235, 240, 245), sun: (250, 250, 250), hills: (200, 210, 225), ground: (245, 248, 252)),
        Palette(skyTop: (20, 90, 160), skyBottom: (120, 200, 230), sun: (255, 240, 180), hills: (30, 80, 140), ground: (230, 210, 160)),
    ]

    /// A 640×420 scene; `seed` varies the sun and the hills.
    static func scene(_ seed: Int, width: Int = 640, height: Int = 420) -> Data {
        let palette = palettes[seed % palettes.count]
        let sunX = Double(120 + (seed * 97) % 400), sunY = Double(90 + (seed * 53) % 90), sunR = 38.0 + Double(seed % 3) * 8
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        func mix(_ a: (UInt8, UInt8, UInt8), _ b: (UInt8, UInt8, UInt8), _ t: Double) -> (UInt8, UInt8, UInt8) {
            (UInt8(Double(a.0) * (1 - t) + Double(b.0) * t), UInt8(Double(a.1) * (1 - t) + Double(b.1) * t), UInt8(Double(a.2) * (1 - t) + Double(b.2) * t))
        }
        for y in 0..<height {
            let sky = mix(palette.skyTop, palette.skyBottom, Double(y) / Double(height))
            for x in 0..<width {
                var color = sky
                let dx = Double(x) - sunX, dy = Double(y) - sunY
                if dx * dx + dy * dy < sunR * sunR { color = palette.sun }
                let hill = Double(height) * 0.62 + sin(Double(x) / 70 + Double(seed)) * 28 + sin(Double(x) / 23 + Double(seed) * 2) * 9
                if Double(y) > hill { color = palette.hills }
                if Double(y) > Double(height) * 0.8 + sin(Double(x) / 120) * 6 { color = mix(palette.ground, palette.hills, 0.2) }
                let offset = (y * width + x) * 3
                rgb[offset] = color.0
                rgb[offset + 1] = color.1
                rgb[offset + 2] = color.2
            }
        }
        return png(rgb: rgb, width: width, height: height)
    }

    static func png(rgb: [UInt8], width: Int, height: Int) -> Data {
        var raw = [UInt8]()
        raw.reserveCapacity((width * 3 + 1) * height)
        for y in 0..<height {
            raw.append(0)
            raw += rgb[(y * width * 3)..<((y + 1) * width * 3)]
        }
        var zlib: [UInt8] = [0x78, 0x01]
        var index = 0
        while index < raw.count {
            let count = min(65_535, raw.count - index)
            zlib.append(index + count == raw.count ? 1 : 0)
            zlib += [UInt8(count & 0xFF), UInt8(count >> 8), UInt8(~count & 0xFF), UInt8((~count >> 8) & 0xFF)]
            zlib += raw[index..<(index + count)]
            index += count
        }
        zlib += bigEndian(adler32(raw))
        var data = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        data += chunk("IHDR", bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [8, 2, 0, 0, 0])
        data += chunk("IDAT", zlib)
        data += chunk("IEND", [])
        return data
    }

    private static func chunk(_ kind: String, _ body: [UInt8]) -> [UInt8] {
        let typed = Array(kind.utf8) + body
        return bigEndian(UInt32(body.count)) + typed + bigEndian(crc32(typed))
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    private static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return (b << 16) | a
    }

    private static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    private static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in bytes { c = crcTable[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
