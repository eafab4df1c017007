import Foundation

/// The text of a message that search looks in.
enum MailSearchText {
    /// The body as text, for the index. Until StarconMIME's parser is wired in, the undecoded body with
    /// base64 blocks left out (an 8bit or quoted-printable text is found; an encoded attachment adds nothing).
    static func body(_ raw: [UInt8], headerSize: Int) -> String {
        guard raw.count > headerSize else { return "" }
        let text = String(decoding: raw[headerSize...].prefix(TextSearchIndex.maxBodyCharacters * 4), as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: true).filter { line in
            // A base64 line: long, no spaces.
            !(line.count >= 60 && !line.contains(" "))
        }.joined(separator: "\n").replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "=\n", with: "")
    }
}
