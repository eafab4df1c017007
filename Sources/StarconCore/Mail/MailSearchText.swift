import Foundation
import StarconMIME

/// The text of a message that search looks in: its text parts decoded (charset, base64, quoted-printable),
/// an HTML part with its tags removed when there is no plain text; attachments are not searched.
public enum MailSearchText {
    public static func body(_ raw: [UInt8], headerSize: Int) -> String {
        let root = MIMEParser.parse(raw)
        var plain: [String] = [], html: [String] = []
        var total = 0
        for leaf in root.leaves where !leaf.isAttachment && leaf.contentType.type == "text" {
            guard total < TextSearchIndex.maxBodyCharacters else { break }
            let text = leaf.text
            total += text.count
            if leaf.contentType.subtype == "html" { html.append(text) } else { plain.append(text) }
        }
        if !plain.isEmpty { return plain.joined(separator: "\n") }
        return html.map(withoutTags).joined(separator: "\n")
    }

    /// Text between tags, `<script>` and `<style>` content left out, a few entities read.
    static func withoutTags(_ html: String) -> String {
        var text = html.replacingOccurrences(of: "<(script|style)[^>]*>.*?</\\1>", with: " ", options: [.regularExpression, .caseInsensitive])
        text = text.replacingOccurrences(of: "<[^>]*>", with: " ", options: .regularExpression)
        for (entity, character) in [("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            text = text.replacingOccurrences(of: entity, with: character)
        }
        return text
    }
}
