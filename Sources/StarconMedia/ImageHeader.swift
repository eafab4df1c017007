import Foundation

/// What a photo's header claims (its format and size), read in Swift from the structure of the file before
/// libvips sees it, and whether the file is long enough to hold that many pixels. A decoder allocates for
/// the size a header claims, whatever follows: a 2 KB JPEG that claims 5,760 × 5,760 pixels made libvips
/// set aside hundreds of megabytes to decode grey. Such a file is refused here, before any decoding.
public struct ImageHeader: Sendable, Equatable {
    public let format: ImageFormat
    public let width: Int
    public let height: Int
    /// False when the file has far fewer bytes than any encoder needs for that many pixels: a decoder would
    /// allocate for the pixels and then invent them.
    public let fitsItsLength: Bool
    public var pixels: Int { width * height }

    public enum Problem: Error, Equatable, Sendable {
        /// Not one of the four formats.
        case notAnImage
        /// The structure is broken (a segment or chunk that cannot be, no size).
        case malformed
        /// The file ends before its picture does (no end-of-image marker, a chunk cut short).
        case truncated
        /// A kind of the format no camera or browser writes (arithmetic-coded or lossless JPEG), which
        /// also defeats the length check.
        case unsupported
    }

    public init(format: ImageFormat, width: Int, height: Int, fitsItsLength: Bool = true) {
        self.format = format
        self.width = width
        self.height = height
        self.fitsItsLength = fitsItsLength
    }

    /// Reads the header and walks the file's structure; throws unless the file is whole.
    public static func read(_ data: Data) throws(Problem) -> ImageHeader {
        guard let format = ImageFormat(sniffing: data) else { throw .notAnImage }
        let result: Result<ImageHeader, Problem> = data.withUnsafeBytes { raw in
            let bytes = Bytes(raw)
            return Result { () throws(Problem) -> ImageHeader in
                switch format {
                case .jpeg: try jpeg(bytes)
                case .png: try png(bytes)
                case .gif: try gif(bytes)
                case .webp: try webp(bytes)
                }
            }
        }
        return try result.get()
    }

    // MARK: JPEG

    /// Walks the markers from SOI to EOI, through each scan's entropy-coded data. Every 8 × 8 block of the
    /// most finely sampled component costs at least one bit (a Huffman code is never shorter), so a whole
    /// picture needs at least one byte per 512 pixels.
    static func jpeg(_ p: Bytes) throws(Problem) -> ImageHeader {
        var size: (width: Int, height: Int)?
        var scans = 0
        var i = 2
        while true {
            guard i < p.count else { throw .truncated }
            guard p[i] == 0xFF else { throw .malformed }
            while i + 1 < p.count, p[i + 1] == 0xFF { i += 1 } // fill bytes
            guard i + 1 < p.count else { throw .truncated }
            let marker = p[i + 1]
            switch marker {
            case 0xD9: // EOI
                guard let size, scans > 0 else { throw .malformed }
                return ImageHeader(format: .jpeg, width: size.width, height: size.height,
                                   fitsItsLength: size.width * size.height <= 512 * p.count)
            case 0x01, 0xD0...0xD7: // TEM, RSTn: no length
                i += 2
                continue
            case 0x00, 0xD8:
                throw .malformed
            default:
                break
            }
            guard i + 3 < p.count else { throw .truncated }
            let length = p.be16(i + 2)
            guard length >= 2 else { throw .malformed }
            guard i + 2 + length <= p.count else { throw .truncated }
            let body = i + 4
            switch marker {
            case 0xC0, 0xC1, 0xC2: // baseline, extended, progressive: Huffman
                guard size == nil else { throw .malformed }
                guard length >= 8 else { throw .malformed }
                let height = p.be16(body + 1), width = p.be16(body + 3)
                // A height of 0 is given later by a DNL marker: nothing to check the size against.
                guard height > 0 else { throw .unsupported }
                guard width > 0 else { throw .malformed }
                size = (width, height)
            case 0xC3, 0xC5...0xC7, 0xC9...0xCB, 0xCD...0xCF: // lossless, hierarchical, arithmetic
                throw .unsupported
            case 0xDA: // SOS: its header, then entropy-coded data up to the next marker that is not RSTn
                guard size != nil else { throw .malformed }
                scans += 1
                var j = i + 2 + length
                while true {
                    guard let found = p.index(of: 0xFF, from: j), found + 1 < p.count else { throw .truncated }
                    let next = p[found + 1]
                    if next == 0x00 || (0xD0...0xD7).contains(next) {
                        j = found + 2
                    } else if next == 0xFF {
                        j = found + 1
                    } else {
                        j = found
                        break
                    }
                }
                i = j
                continue
            default:
                break
            }
            i += 2 + length
        }
    }

    // MARK: PNG

    /// The IHDR chunk, then every chunk up to IEND. The rows, one filter byte each, are deflated in IDAT,
    /// and deflate never shrinks data more than 1,032 to 1.
    static func png(_ p: Bytes) throws(Problem) -> ImageHeader {
        var i = 8
        var header: (width: Int, height: Int, bitsPerPixel: Int)?
        var compressed = 0
        while true {
            guard i + 8 <= p.count else { throw .truncated }
            let length = p.be32(i)
            let kind = p.slice(i + 4, 4)
            guard length <= Int(Int32.max) else { throw .malformed }
            guard i + 12 + length <= p.count else { throw .truncated }
            if header == nil {
                guard kind == Array("IHDR".utf8), length == 13 else { throw .malformed }
                let width = p.be32(i + 8), height = p.be32(i + 12)
                let depth = Int(p[i + 16]), colour = p[i + 17]
                let channels: Int
                switch colour {
                case 0, 3: channels = 1
                case 2: channels = 3
                case 4: channels = 2
                case 6: channels = 4
                default: throw .malformed
                }
                guard width > 0, height > 0, width <= Int(Int32.max), height <= Int(Int32.max), [1, 2, 4, 8, 16].contains(depth) else {
                    throw .malformed
                }
                header = (width, height, channels * depth)
            } else if kind == Array("IDAT".utf8) {
                compressed += length
            } else if kind == Array("IEND".utf8) {
                guard let header, compressed > 0 else { throw .malformed }
                let rowBytes = 1 + (header.width * header.bitsPerPixel + 7) / 8
                let (raw, overflow) = header.height.multipliedReportingOverflow(by: rowBytes)
                return ImageHeader(format: .png, width: header.width, height: header.height,
                                   fitsItsLength: !overflow && raw <= 1_032 * compressed + 1_024)
            }
            i += 12 + length
        }
    }

    // MARK: GIF

    /// The logical screen, grown to hold every frame where it is placed (libvips's GIF decoder does the
    /// same, so a 20 × 20 screen with a frame at row 8,000 is decoded 8,000 rows high), then blocks up to
    /// the first image's data, which must end; later frames are read while they last. A 12-bit LZW code
    /// stands for at most 4,096 pixels, so each byte of the first image's data gives at most 2,731.
    static func gif(_ p: Bytes) throws(Problem) -> ImageHeader {
        guard p.count >= 13 else { throw .truncated }
        var width = p.le16(6), height = p.le16(8)
        guard width > 0, height > 0 else { throw .malformed }
        var i = 13
        if p[10] & 0x80 != 0 { i += 3 << (Int(p[10] & 0x07) + 1) } // global colour table
        var firstData: Int?
        while i < p.count {
            switch p[i] {
            case 0x21: // extension: label, then sub-blocks
                guard let end = try? skipSubBlocks(p, from: i + 2) else { break }
                i = end
                continue
            case 0x2C: // image descriptor, local colour table, LZW code size, data sub-blocks
                guard i + 10 <= p.count else { break }
                width = max(width, p.le16(i + 1) + p.le16(i + 5))
                height = max(height, p.le16(i + 3) + p.le16(i + 7))
                let flags = p[i + 9]
                i += 10
                if flags & 0x80 != 0 { i += 3 << (Int(flags & 0x07) + 1) }
                let start = i + 1
                guard let end = try? skipSubBlocks(p, from: start) else { break }
                if firstData == nil { firstData = end - start }
                i = end
                continue
            default:
                break // the trailer, or anything else: libvips stops reading frames there too
            }
            break
        }
        guard let firstData else { throw i < p.count && p[i] != 0x21 && p[i] != 0x2C ? .malformed : .truncated }
        return ImageHeader(format: .gif, width: width, height: height, fitsItsLength: width * height <= 2_731 * firstData)
    }

    /// The index after a chain of sub-blocks (a length byte, that many bytes, … , a 0).
    private static func skipSubBlocks(_ p: Bytes, from start: Int) throws(Problem) -> Int {
        var i = start
        while true {
            guard i < p.count else { throw .truncated }
            let length = Int(p[i])
            i += 1
            if length == 0 { return i }
            i += length
        }
    }

    // MARK: WebP

    /// The RIFF container's length, and the size from the first chunk (VP8X canvas, VP8 key frame or VP8L).
    /// No length check: lossy WebP's arithmetic coder can spend far less than a bit on a macroblock, so the
    /// bounded decode pool is what limits these.
    static func webp(_ p: Bytes) throws(Problem) -> ImageHeader {
        guard p.count >= 20 else { throw .truncated }
        guard p.le32(4) + 8 <= p.count else { throw .truncated }
        let kind = p.slice(12, 4), body = 20
        let width: Int, height: Int
        if kind == Array("VP8X".utf8) {
            guard p.count >= body + 10 else { throw .truncated }
            width = p.le24(body + 4) + 1
            height = p.le24(body + 7) + 1
        } else if kind == Array("VP8 ".utf8) {
            guard p.count >= body + 10 else { throw .truncated }
            guard p.slice(body + 3, 3) == [0x9D, 0x01, 0x2A] else { throw .malformed }
            width = p.le16(body + 6) & 0x3FFF
            height = p.le16(body + 8) & 0x3FFF
        } else if kind == Array("VP8L".utf8) {
            guard p.count >= body + 5 else { throw .truncated }
            guard p[body] == 0x2F else { throw .malformed }
            let bits = p.le32(body + 1)
            width = (bits & 0x3FFF) + 1
            height = ((bits >> 14) & 0x3FFF) + 1
        } else {
            throw .malformed
        }
        guard width > 0, height > 0 else { throw .malformed }
        return ImageHeader(format: .webp, width: width, height: height)
    }
}

/// Bounds-checked reads of a file's bytes (callers check lengths first; a read past the end is a 0, never
/// a trap, so a reader mistake cannot crash the server).
struct Bytes {
    let raw: UnsafeRawBufferPointer
    init(_ raw: UnsafeRawBufferPointer) { self.raw = raw }
    var count: Int { raw.count }
    subscript(_ i: Int) -> UInt8 { i >= 0 && i < raw.count ? raw[i] : 0 }
    func be16(_ i: Int) -> Int { Int(self[i]) << 8 | Int(self[i + 1]) }
    func be32(_ i: Int) -> Int { be16(i) << 16 | be16(i + 2) }
    func le16(_ i: Int) -> Int { Int(self[i]) | Int(self[i + 1]) << 8 }
    func le24(_ i: Int) -> Int { le16(i) | Int(self[i + 2]) << 16 }
    func le32(_ i: Int) -> Int { le16(i) | le16(i + 2) << 16 }
    func slice(_ i: Int, _ n: Int) -> [UInt8] { (i..<i + n).map { self[$0] } }
    /// The first index at or after `start` holding `byte`.
    func index(of byte: UInt8, from start: Int) -> Int? {
        guard start >= 0, start < raw.count, let base = raw.baseAddress else { return nil }
        guard let found = memchr(base + start, Int32(byte), raw.count - start) else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }
}
