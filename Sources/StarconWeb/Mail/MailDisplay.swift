import Foundation
import StarconCore
import StarconMIME

/// A stored message as the reading page shows it, from StarconMIME's entity tree: its text, its HTML
/// (sanitised when shown), its attachments by IMAP part number and its inline pictures by Content-ID.
struct MailDisplay {
    struct Attachment {
        /// The part's IMAP number (`2`, `1.3`): what `/part/N` names.
        let number: String
        let filename: String
        let contentType: String
        let size: Int
        var isImage: Bool { MailDisplay.inlineImageTypes.contains(contentType) }
    }

    struct Part {
        let contentType: String
        let filename: String
        let data: [UInt8]
    }

    /// The first text/plain part that is the message's text.
    var text: String?
    /// The first text/html part, unsanitised (`sanitizedHTML` is what a page may show).
    var html: String?
    var attachments: [Attachment] = []
    private let root: MIMEEntity
    private var numbers: [String: MIMEEntity] = [:]
    private var contentIDs: [String: MIMEEntity] = [:]

    /// Pictures a browser may be shown inline (never SVG, which can carry script).
    static let inlineImageTypes: Set<String> = ["image/png", "image/jpeg", "image/gif", "image/webp"]

    init(raw: [UInt8]) {
        root = MIMEParser.parse(raw)
        for (number, entity) in root.numberedParts where !entity.isMultipart {
            let key = MIMEPartNumber.format(number)
            numbers[key] = entity
            if let id = entity.contentID { contentIDs[id] = entity }
        }
        let leaves = Self.leaves(root, [])
        let hasHTML = leaves.contains { !$0.1.isAttachment && $0.1.contentType.mimeType == "text/html" }
        for (number, entity) in leaves {
            let type = entity.contentType.mimeType
            if !entity.isAttachment, type == "text/plain", text == nil { text = entity.text; continue }
            if !entity.isAttachment, type == "text/html", html == nil { html = entity.text; continue }
            // A picture the HTML shows by its Content-ID is not listed again.
            if hasHTML, entity.contentID != nil, Self.inlineImageTypes.contains(type), entity.disposition?.isAttachment != true { continue }
            let key = MIMEPartNumber.format(number)
            attachments.append(Attachment(number: key, filename: Self.filename(entity, key), contentType: type,
                                          size: entity.contentType.isMessage ? entity.bodyBytes.count : entity.decodedBody().bytes.count))
        }
    }

    /// The leaves this message shows or offers, with their IMAP numbers; a forwarded message is one leaf.
    private static func leaves(_ entity: MIMEEntity, _ number: [Int]) -> [([Int], MIMEEntity)] {
        guard entity.isMultipart else { return [(number.isEmpty ? [1] : number, entity)] }
        return entity.children.enumerated().flatMap { leaves($0.element, number + [$0.offset + 1]) }
    }

    private static func filename(_ entity: MIMEEntity, _ number: String) -> String {
        entity.filename ?? (entity.contentType.isMessage ? "message-\(number).eml" : "part-\(number)")
    }

    func part(_ number: String) -> Part? {
        guard let entity = numbers[number] else { return nil }
        // A forwarded message downloads whole, as its octets.
        let data = entity.contentType.isMessage ? Array(entity.bodyBytes) : entity.decodedBody().bytes
        return Part(contentType: entity.contentType.mimeType, filename: Self.filename(entity, number), data: data)
    }

    /// The part an HTML body names `cid:ID`.
    func inlinePart(contentID: String) -> Part? {
        guard let entity = contentIDs[contentID] else { return nil }
        return Part(contentType: entity.contentType.mimeType, filename: entity.filename ?? "", data: entity.decodedBody().bytes)
    }

    /// The HTML as a page of ours may show it: allowlisted, no remote pictures, `cid:` pictures through
    /// `path/cid/ID`.
    func sanitizedHTML(path: String, blockedImageText: String) -> String? {
        guard let html else { return nil }
        let known = contentIDs
        return MailHTMLSanitizer.sanitize(html, blockedImageText: blockedImageText) { id in
            guard let entity = known[id], Self.inlineImageTypes.contains(entity.contentType.mimeType) else { return nil }
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~@")
            return "\(path)/cid/\(id.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }
    }
}
