import Foundation
import StarconMIME

/// A delivery status notification (RFC 3464) in a multipart/report (RFC 6522): a sentence for the member,
/// the machine-readable status, and the original message's header.
enum MailBounce {
    static func report(original: [UInt8], recipient: String, reason: String, permanent: Bool, domain: String,
                       messageID: String, now: Int64) -> [UInt8] {
        let boundary = "=_starcon_dsn_\(now)"
        let status = enhancedCode(in: reason) ?? (permanent ? "5.0.0" : "4.4.7")
        let header = MailHeader(original)
        let subject = header.value("Subject").map { " (" + $0.prefix(150) + ")" } ?? ""
        var originalHeader = String(decoding: original[..<header.size], as: UTF8.self)
        if !originalHeader.hasSuffix("\n") { originalHeader += "\r\n" }
        let why = permanent ? "The receiving server refused it." : "It could not be delivered in time; the last try said so."
        // The sender's own addresses, written again by StarconMIME (what the original's From had of them).
        let sender = AddressList.parse(header.value("From") ?? "").flatMap { entry -> [MIMEAddress] in
            switch entry {
            case .mailbox(let mailbox): [mailbox]
            case .group(_, _, let members): members
            }
        }
        let fields = MIMEHeaderWriter.structured("From", MIMEAddress(displayName: "Mail Delivery System", localPart: "MAILER-DAEMON", domain: domain).formatted)
            + MIMEHeaderWriter.structured("To", AddressList.format(sender))
            + MIMEHeaderWriter.unstructured("Subject", "Undelivered mail returned to sender")
        let lines = [
            "Date: \(MailDate.format(now))",
            "Message-ID: \(messageID)",
            "Auto-Submitted: auto-replied",
            "MIME-Version: 1.0",
            "Content-Type: multipart/report; report-type=delivery-status; boundary=\"\(boundary)\"",
            "",
            "--\(boundary)",
            "Content-Type: text/plain; charset=utf-8",
            "",
            "Your message\(subject) to <\(recipient)> was not delivered.",
            why,
            "",
            "    \(reason)",
            "",
            "--\(boundary)",
            "Content-Type: message/delivery-status",
            "",
            "Reporting-MTA: dns; \(domain)",
            "Arrival-Date: \(MailDate.format(now))",
            "",
            "Final-Recipient: rfc822; \(recipient)",
            "Action: failed",
            "Status: \(status)",
            "Diagnostic-Code: smtp; \(reason)",
            "",
            "--\(boundary)",
            "Content-Type: text/rfc822-headers",
            "",
        ]
        return Array((fields + lines.joined(separator: "\r\n") + "\r\n" + originalHeader + "\r\n--\(boundary)--\r\n").utf8)
    }

    /// `4.4.1` from `451 4.4.1 No answer`: the enhanced status code of a reply, if it has one.
    static func enhancedCode(in reason: String) -> String? {
        for word in reason.split(separator: " ").prefix(3) {
            let parts = word.split(separator: ".")
            if parts.count == 3, ["2", "4", "5"].contains(parts[0]), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) {
                return String(word)
            }
        }
        return nil
    }
}
