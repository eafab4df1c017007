import Foundation

/// The top-level header of a stored message: where it ends, its fields unfolded, and the summary the store
/// keeps in columns. Only what the store needs; parsing the body is StarconMIME's work.
public struct MailHeader: Sendable {
    /// Bytes up to and including the blank line that ends the header (the whole message when there is none).
    public let size: Int
    /// Fields in order, names as written, values unfolded (CRLF + WSP removed), not decoded.
    let fields: [(name: String, value: String)]

    public init(_ raw: [UInt8]) {
        var end = raw.count
        var index = 0
        // The header ends at the first empty line (CRLF CRLF, or LF LF from a sloppy client).
        while index < raw.count {
            if raw[index] == 0x0A {
                if index + 1 < raw.count, raw[index + 1] == 0x0A { end = index + 2; break }
                if index + 2 < raw.count, raw[index + 1] == 0x0D, raw[index + 2] == 0x0A { end = index + 3; break }
            }
            if index == 0, raw[0] == 0x0D || raw[0] == 0x0A { end = raw[0] == 0x0D && raw.count > 1 ? 2 : 1; break }
            index += 1
        }
        size = end
        let text = String(decoding: raw[..<end], as: UTF8.self)
        var fields: [(String, String)] = []
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = line.hasSuffix("\r") ? line.dropLast() : line
            if line.isEmpty { continue }
            if line.first == " " || line.first == "\t" {
                if !fields.isEmpty { fields[fields.count - 1].1 += " " + line.drop(while: { $0 == " " || $0 == "\t" }) }
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields.append((String(line[..<colon]).trimmingWhitespace(), String(line[line.index(after: colon)...]).trimmingWhitespace()))
        }
        self.fields = fields
    }

    /// The first field of that name (names compare without case).
    func value(_ name: String) -> String? {
        let key = name.lowercased()
        return fields.first(where: { $0.name.lowercased() == key })?.value
    }

    func has(_ name: String) -> Bool { value(name) != nil }

    /// The summary columns. `raw` is looked at for attachments: a multipart/mixed message or any part
    /// whose disposition is `attachment`.
    func summary(raw: [UInt8]) -> MailSummary {
        var summary = MailSummary()
        summary.from = EncodedWords.decode(value("From") ?? "")
        summary.to = EncodedWords.decode(value("To") ?? "")
        summary.cc = EncodedWords.decode(value("Cc") ?? "")
        summary.subject = EncodedWords.decode(value("Subject") ?? "")
        summary.messageID = value("Message-ID") ?? ""
        summary.inReplyTo = value("In-Reply-To") ?? ""
        summary.references = value("References") ?? ""
        summary.date = value("Date").flatMap(MailDate.parse)
        let type = (value("Content-Type") ?? "").lowercased()
        summary.hasAttachments = type.hasPrefix("multipart/mixed")
            || raw.count > size && Self.mentionsAttachment(raw[size...])
        return summary
    }

    private static let attachmentMarker = Array("content-disposition: attachment".utf8)

    /// Whether a body line starts `Content-Disposition: attachment` (any case).
    private static func mentionsAttachment(_ body: ArraySlice<UInt8>) -> Bool {
        var lineStart = true
        var index = body.startIndex
        while index < body.endIndex {
            if lineStart, body[index] | 0x20 == 0x63, body.endIndex - index >= attachmentMarker.count {
                var matches = true
                for (offset, expected) in attachmentMarker.enumerated() {
                    let byte = body[index + offset]
                    if (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) != expected { matches = false; break }
                }
                if matches { return true }
            }
            lineStart = body[index] == 0x0A
            index += 1
        }
        return false
    }
}

/// RFC 5322 §3.3 dates: `[day-of-week ","] day month year hour ":" minute [":" second] zone`, with the
/// obsolete zone names of §4.3.
public enum MailDate {
    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let zones: [String: Int] = ["ut": 0, "utc": 0, "gmt": 0, "z": 0, "est": -300, "edt": -240, "cst": -360, "cdt": -300,
                                       "mst": -420, "mdt": -360, "pst": -480, "pdt": -420]

    /// Unix milliseconds, or nil when the text is not a date.
    public static func parse(_ text: String) -> Int64? {
        var words = text.replacingOccurrences(of: ",", with: " ").split(separator: " ").map { String($0) }
        // Comments such as "(UTC)" are dropped.
        words.removeAll { $0.hasPrefix("(") }
        if let first = words.first, Int(first) == nil { words.removeFirst() }
        guard words.count >= 4, let day = Int(words[0]), (1...31).contains(day),
              let month = months.firstIndex(of: String(words[1].prefix(3)).lowercased()), var year = Int(words[2]) else { return nil }
        if year < 50 { year += 2000 } else if year < 1000 { year += 1900 }
        let time = words[3].split(separator: ":").map { Int($0) }
        guard time.count >= 2, time.allSatisfy({ $0 != nil }), let hour = time[0], let minute = time[1], hour < 24, minute < 60 else { return nil }
        let second = time.count > 2 ? time[2]! : 0
        var offset = 0
        if words.count > 4 {
            let zone = words[4]
            if let sign = zone.first, sign == "+" || sign == "-", zone.count == 5, let value = Int(zone.dropFirst()) {
                offset = (value / 100 * 60 + value % 100) * (sign == "-" ? -1 : 1)
            } else {
                offset = zones[zone.lowercased()] ?? 0
            }
        }
        let days = CivilTime.daysFromCivil(year: year, month: month + 1, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + min(second, 60)) - Int64(offset * 60)
        return seconds * 1000
    }

    /// `Fri, 4 Dec 2026 23:15:00 +0000` for a Date header (always UTC).
    public static func format(_ milliseconds: Int64) -> String {
        let time = CivilTime(milliseconds: milliseconds)
        let days = milliseconds >= 0 ? milliseconds / 86_400_000 : (milliseconds - 86_399_999) / 86_400_000
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][Int(((days % 7) + 7) % 7)]
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let month = months[Int(time.month) - 1].capitalized
        return "\(weekday), \(time.day) \(month) \(time.year) \(two(time.hour)):\(two(time.minute)):\(two(time.second)) +0000"
    }
}
