/// A QR code (ISO/IEC 18004) for the TOTP enrolment link, drawn as SVG on the server so the page needs no
/// script and no outside service. Byte mode, error correction level M, versions 1–10 (up to 213 bytes,
/// enough for an otpauth:// link); the mask is chosen by the standard's penalty rules.
struct QRCode {
    let size: Int
    let mask: Int
    /// Row-major, true = dark.
    let modules: [Bool]

    /// (error-correction codewords per block, [(blocks, data codewords per block)]) for level M.
    private static let blocks: [(Int, [(Int, Int)])] = [
        (10, [(1, 16)]), (16, [(1, 28)]), (26, [(1, 44)]), (18, [(2, 32)]), (24, [(2, 43)]),
        (16, [(4, 27)]), (18, [(4, 31)]), (22, [(2, 38), (2, 39)]), (22, [(3, 36), (2, 37)]), (26, [(4, 43), (1, 44)]),
    ]
    private static let alignment: [[Int]] = [[], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50]]

    init?(_ text: String, mask chosen: Int? = nil) {
        let bytes = Array(text.utf8)
        guard let version = (1...10).first(where: { v in
            Self.dataCapacity(v) * 8 >= 4 + (v < 10 ? 8 : 16) + bytes.count * 8
        }) else { return nil }
        let codewords = Self.codewords(bytes, version: version)
        let size = 17 + 4 * version
        var grid = Grid(size: size)
        grid.drawFunctionPatterns(version: version, alignment: Self.alignment[version - 1])
        grid.place(codewords)
        var best: (penalty: Int, mask: Int, grid: Grid)?
        for mask in chosen.map({ [$0] }) ?? Array(0..<8) {
            var candidate = grid
            candidate.apply(mask: mask)
            candidate.drawFormat(mask: mask)
            let penalty = candidate.penalty()
            if best == nil || penalty < best!.penalty { best = (penalty, mask, candidate) }
        }
        self.size = size
        self.mask = best!.mask
        self.modules = best!.grid.dark
    }

    /// `<svg>` with one path, a four-module quiet zone, dark on light.
    var svg: String {
        var path = ""
        for y in 0..<size {
            for x in 0..<size where modules[y * size + x] { path += "M\(x + 4) \(y + 4)h1v1h-1z" }
        }
        let side = size + 8
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(side) \(side)\" shape-rendering=\"crispEdges\" role=\"img\" data-mask=\"\(mask)\">"
            + "<rect width=\"\(side)\" height=\"\(side)\" fill=\"#fff\"/><path fill=\"#000\" d=\"\(path)\"/></svg>"
    }

    private static func dataCapacity(_ version: Int) -> Int { blocks[version - 1].1.reduce(0) { $0 + $1.0 * $1.1 } }

    /// Data bits in byte mode, padded, split into blocks with their Reed–Solomon codewords, interleaved.
    private static func codewords(_ bytes: [UInt8], version: Int) -> [UInt8] {
        var bits: [Bool] = []
        func append(_ value: Int, _ count: Int) { for i in stride(from: count - 1, through: 0, by: -1) { bits.append((value >> i) & 1 == 1) } }
        append(0b0100, 4)
        append(bytes.count, version < 10 ? 8 : 16)
        for byte in bytes { append(Int(byte), 8) }
        let capacity = dataCapacity(version) * 8
        append(0, min(4, capacity - bits.count))
        while bits.count % 8 != 0 { bits.append(false) }
        var data: [UInt8] = stride(from: 0, to: bits.count, by: 8).map { start in
            (0..<8).reduce(UInt8(0)) { $0 << 1 | (bits[start + $1] ? 1 : 0) }
        }
        var pad: UInt8 = 0xEC
        while data.count < capacity / 8 { data.append(pad); pad = pad == 0xEC ? 0x11 : 0xEC }
        let (ecCount, groups) = blocks[version - 1]
        var dataBlocks: [[UInt8]] = []
        var offset = 0
        for (count, length) in groups {
            for _ in 0..<count { dataBlocks.append(Array(data[offset..<offset + length])); offset += length }
        }
        let ecBlocks = dataBlocks.map { ReedSolomon.remainder($0, degree: ecCount) }
        var out: [UInt8] = []
        for i in 0..<(dataBlocks.map(\.count).max() ?? 0) { for block in dataBlocks where i < block.count { out.append(block[i]) } }
        for i in 0..<ecCount { for block in ecBlocks { out.append(block[i]) } }
        return out
    }
}

private enum ReedSolomon {
    static let (exp, log): ([UInt8], [Int]) = {
        var exp = [UInt8](repeating: 0, count: 512), log = [Int](repeating: 0, count: 256)
        var x = 1
        for i in 0..<255 {
            exp[i] = UInt8(x); log[x] = i
            x <<= 1
            if x & 0x100 != 0 { x ^= 0x11D }
        }
        for i in 255..<512 { exp[i] = exp[i - 255] }
        return (exp, log)
    }()

    static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 { a == 0 || b == 0 ? 0 : exp[log[Int(a)] + log[Int(b)]] }

    static func remainder(_ data: [UInt8], degree: Int) -> [UInt8] {
        var generator: [UInt8] = [1]
        for i in 0..<degree {
            var next = [UInt8](repeating: 0, count: generator.count + 1)
            for (j, coefficient) in generator.enumerated() {
                next[j] ^= coefficient
                next[j + 1] ^= multiply(coefficient, exp[i])
            }
            generator = next
        }
        var result = [UInt8](repeating: 0, count: degree)
        for byte in data {
            let factor = byte ^ result[0]
            result.removeFirst()
            result.append(0)
            for i in 0..<degree { result[i] ^= multiply(generator[i + 1], factor) }
        }
        return result
    }
}

/// The module grid while it is built: which modules are dark and which belong to function patterns.
private struct Grid {
    let size: Int
    var dark: [Bool]
    var reserved: [Bool]

    init(size: Int) {
        self.size = size
        dark = Array(repeating: false, count: size * size)
        reserved = Array(repeating: false, count: size * size)
    }

    mutating func set(_ x: Int, _ y: Int, _ value: Bool) {
        dark[y * size + x] = value
        reserved[y * size + x] = true
    }

    mutating func drawFunctionPatterns(version: Int, alignment: [Int]) {
        for (cx, cy) in [(3, 3), (size - 4, 3), (3, size - 4)] {
            for dy in -4...4 {
                for dx in -4...4 {
                    let x = cx + dx, y = cy + dy
                    guard x >= 0, x < size, y >= 0, y < size else { continue }
                    let ring = max(abs(dx), abs(dy))
                    set(x, y, ring != 2 && ring != 4)
                }
            }
        }
        for i in 8..<(size - 8) {
            set(i, 6, i % 2 == 0)
            set(6, i, i % 2 == 0)
        }
        for cy in alignment {
            for cx in alignment where !((cx == 6 && cy == 6) || (cx == 6 && cy == alignment.last!) || (cx == alignment.last! && cy == 6)) {
                for dy in -2...2 { for dx in -2...2 { set(cx + dx, cy + dy, max(abs(dx), abs(dy)) != 1) } }
            }
        }
        drawFormat(mask: 0)
        if version >= 7 { drawVersion(version) }
    }

    /// The 15 format bits (level M = 00, the mask), BCH-protected, in both copies, and the dark module.
    mutating func drawFormat(mask: Int) {
        let data = (0b00 << 3) | mask
        var remainder = data
        for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
        let bits = ((data << 10) | remainder) ^ 0x5412
        func bit(_ i: Int) -> Bool { (bits >> i) & 1 == 1 }
        for i in 0...5 { set(8, i, bit(i)) }
        set(8, 7, bit(6)); set(8, 8, bit(7)); set(7, 8, bit(8))
        for i in 9..<15 { set(14 - i, 8, bit(i)) }
        for i in 0..<8 { set(size - 1 - i, 8, bit(i)) }
        for i in 8..<15 { set(8, size - 15 + i, bit(i)) }
        set(8, size - 8, true)
    }

    mutating func drawVersion(_ version: Int) {
        var remainder = version
        for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
        let bits = (version << 12) | remainder
        for i in 0..<18 {
            let value = (bits >> i) & 1 == 1
            let a = size - 11 + i % 3, b = i / 3
            set(a, b, value)
            set(b, a, value)
        }
    }

    /// Codewords in the standard's zigzag: two-module columns from the right, up and down, skipping column 6.
    mutating func place(_ codewords: [UInt8]) {
        var index = 0
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            for vertical in 0..<size {
                for j in 0..<2 {
                    let x = right - j
                    let upward = (right + 1) & 2 == 0
                    let y = upward ? size - 1 - vertical : vertical
                    guard !reserved[y * size + x] else { continue }
                    if index < codewords.count * 8 {
                        dark[y * size + x] = (codewords[index >> 3] >> (7 - index & 7)) & 1 == 1
                        index += 1
                    }
                }
            }
            right -= 2
        }
    }

    mutating func apply(mask: Int) {
        for y in 0..<size {
            for x in 0..<size where !reserved[y * size + x] {
                let flip = switch mask {
                case 0: (x + y) % 2 == 0
                case 1: y % 2 == 0
                case 2: x % 3 == 0
                case 3: (x + y) % 3 == 0
                case 4: (x / 3 + y / 2) % 2 == 0
                case 5: x * y % 2 + x * y % 3 == 0
                case 6: (x * y % 2 + x * y % 3) % 2 == 0
                default: ((x + y) % 2 + x * y % 3) % 2 == 0
                }
                if flip { dark[y * size + x].toggle() }
            }
        }
    }

    /// The standard's four penalty rules: runs, 2×2 blocks, finder-like patterns, dark/light balance.
    func penalty() -> Int {
        var total = 0
        func at(_ x: Int, _ y: Int, _ columns: Bool) -> Bool { columns ? dark[x * size + y] : dark[y * size + x] }
        for columns in [false, true] {
            for y in 0..<size {
                var run = 1
                var line: [Bool] = []
                for x in 0..<size {
                    line.append(at(x, y, columns))
                    if x > 0 {
                        if line[x] == line[x - 1] { run += 1 } else { if run >= 5 { total += run - 2 }; run = 1 }
                    }
                }
                if run >= 5 { total += run - 2 }
                let finder: [Bool] = [true, false, true, true, true, false, true]
                for x in 0...(size - 7) where Array(line[x..<x + 7]) == finder {
                    let before = (max(0, x - 4)..<x).allSatisfy { !line[$0] } && x >= 4
                    let after = (x + 7..<min(size, x + 11)).allSatisfy { !line[$0] } && x + 11 <= size
                    if before || after { total += 40 }
                }
            }
        }
        for y in 0..<(size - 1) {
            for x in 0..<(size - 1) {
                let c = dark[y * size + x]
                if c == dark[y * size + x + 1], c == dark[(y + 1) * size + x], c == dark[(y + 1) * size + x + 1] { total += 3 }
            }
        }
        let darkCount = dark.filter { $0 }.count
        total += abs(darkCount * 20 - dark.count * 10) / dark.count * 10
        return total
    }
}
