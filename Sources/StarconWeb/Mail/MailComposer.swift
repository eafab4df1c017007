import Foundation
import StarconCore
import StarconMIME

/// A message from the compose form, written with StarconMIME's writer (text in UTF-8, attachments in
/// base64 byte for byte, a forwarded message as message/rfc822).
enum MailComposer {
    struct Attachment {
        let filename: String
        let contentType: String
        let data: [UInt8]
    }

    struct Letter {
        var from: String
        var fromAddress: String
        var to: String
        var cc: String
        var bcc: String
        var subject: String
        var body: String
        var inReplyTo: String
        var references: String
        var attachments: [Attachment]

        /// Every address the message goes to (To, Cc and Bcc): the envelope.
        var recipients: [String] {
            (AddressList.mailboxes(to) + AddressList.mailboxes(cc) + AddressList.mailboxes(bcc)).map(\.address)
        }

        /// The first entry of an address field that is not an address (`kim`, `a@`), nil when all are.
        var badAddress: String? {
            for field in [to, cc, bcc] {
                let entries = MailFormat.addresses(field)
                let parsed = AddressList.mailboxes(field)
                if parsed.count != entries.count { return entries.first { AddressList.mailboxes($0).count != 1 } ?? field }
                if let bad = parsed.first(where: { ($0.domain ?? "").isEmpty || $0.localPart.isEmpty }) { return bad.address }
            }
            return nil
        }
    }

    static func build(_ letter: Letter, keepBcc: Bool, domain: String) -> [UInt8] {
        let text = MIMEPart.text(letter.body.replacingOccurrences(of: "\r\n", with: "\n"))
        let body: MIMEPart = letter.attachments.isEmpty ? text : .mixed([text] + letter.attachments.map { attachment in
            attachment.contentType == "message/rfc822"
                ? .message(attachment.data)
                : .attachment(attachment.data, filename: attachment.filename, mimeType: attachment.contentType)
        })
        let sender = AddressList.mailboxes(letter.fromAddress).first.map {
            MIMEAddress(displayName: letter.from.isEmpty ? nil : letter.from, localPart: $0.localPart, domain: $0.domain)
        }
        var message = MIMEMessage(from: sender.map { [$0] } ?? [], subject: letter.subject,
                                  messageID: MIMEWriter.makeMessageID(domain: domain), body: body)
        message.to = AddressList.mailboxes(letter.to)
        message.cc = AddressList.mailboxes(letter.cc)
        message.bcc = AddressList.mailboxes(letter.bcc)
        message.writeBcc = keepBcc
        message.inReplyTo = ids(letter.inReplyTo)
        message.references = ids(letter.references)
        return message.serialized()
    }

    static func ids(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }).map(String.init).filter { $0.hasPrefix("<") && $0.hasSuffix(">") }
    }

    /// A header field of a stored message, decoded (`Reply-To`, `Bcc` of a draft).
    static func header(_ name: String, in raw: [UInt8]) -> String? {
        MIMEParser.parseHeader(raw).header.first(name)?.decodedValue
    }

    /// The signature below `-- ` as a new message carries it.
    static func signatureBlock(_ signature: String) -> String {
        let trimmed = signature.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return "" }
        return (trimmed.hasPrefix("--") ? signature : "-- \n" + signature) + "\n\n"
    }

    /// A text without its signature (from the last `-- ` line), for quoting.
    static func withoutSignature(_ text: String) -> String {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        guard let cut = lines.lastIndex(where: { $0 == "-- " }) else { return text }
        return lines[..<cut].joined(separator: "\n").trimmingCharacters(in: .newlines)
    }

    /// The type an uploaded file is sent as, by its name (the browser's own word is not trusted).
    static func contentType(forFilename name: String) -> String {
        let ext = name.split(separator: ".").last.map { $0.lowercased() } ?? ""
        return [
            "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp",
            "pdf": "application/pdf", "txt": "text/plain", "csv": "text/csv", "zip": "application/zip",
            "doc": "application/msword", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "hwp": "application/x-hwp",
            "eml": "message/rfc822", "mp3": "audio/mpeg", "mp4": "video/mp4",
        ][ext] ?? "application/octet-stream"
    }
}
