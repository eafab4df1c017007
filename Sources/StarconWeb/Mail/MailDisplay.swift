import Foundation
import StarconCore

/// A stored message as the reading page shows it: its text, its sanitised HTML, its attachments and
/// inline pictures. Built from the raw bytes.
struct MailDisplay {
    struct Attachment {
        /// The part's place in the message (what `/part/N` names).
        let index: Int
        let filename: String
        let contentType: String
        let size: Int
        var isImage: Bool { contentType.hasPrefix("image/") && MailDisplay.inlineImageTypes.contains(contentType) }
    }

    struct Part {
        let contentType: String
        let filename: String
        let data: [UInt8]
    }

    var text: String?
    var html: String?
    var attachments: [Attachment] = []
    private var parts: [Int: Part] = [:]
    private var inline: [String: Int] = [:]

    /// Pictures a browser may be shown inline (never SVG, which can carry script).
    static let inlineImageTypes: Set<String> = ["image/png", "image/jpeg", "image/gif", "image/webp"]

    init(raw: [UInt8]) {
        // Until StarconMIME's parser is wired in: the body after the header, as text.
        var end = 0, index = 0
        while index + 1 < raw.count {
            if raw[index] == 0x0A, raw[index + 1] == 0x0A { end = index + 2; break }
            if raw[index] == 0x0A, index + 2 < raw.count, raw[index + 1] == 0x0D, raw[index + 2] == 0x0A { end = index + 3; break }
            index += 1
        }
        text = end > 0 ? String(decoding: raw[end...], as: UTF8.self) : ""
    }

    func part(_ index: Int) -> Part? { parts[index] }

    /// The part an HTML body names `cid:ID`.
    func inlinePart(contentID: String) -> Part? { inline[contentID].flatMap { parts[$0] } }
}
