/// An address as the core checks it: `local@domain`, the domain lower-cased, the local part as written.
/// The SMTP grammar (StarconMail) parses what clients send; this is the core's own small check, so web mail
/// and SMTP meet the same rule.
public struct MailAddressText: Sendable, Hashable, CustomStringConvertible {
    public let localPart: String
    public let domain: String

    public init?(_ text: String) {
        var text = Substring(text).strippingEdges(of: " \t")
        if text.hasPrefix("<") && text.hasSuffix(">") { text = text.dropFirst().dropLast() }
        guard let at = text.lastIndex(of: "@") else { return nil }
        let local = text[..<at], domain = text[text.index(after: at)...]
        guard !local.isEmpty, local.utf8.count <= 64, !domain.isEmpty, domain.utf8.count <= 255,
              !text.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || "<>,;".unicodeScalars.contains($0) }),
              !domain.hasPrefix("."), !domain.hasSuffix("."), !domain.contains("..") else { return nil }
        self.localPart = String(local)
        self.domain = domain.lowercased()
    }

    public var description: String { "\(localPart)@\(domain)" }

    /// The first address of a From-style header value: `Name <a@b>` or `a@b`; nil when there is none or
    /// there are several (a member sends as one address).
    public static func single(inHeader value: String) -> MailAddressText? {
        if let open = value.lastIndex(of: "<"), let close = value.lastIndex(of: ">"), open < close {
            guard value.filter({ $0 == "<" }).count == 1 else { return nil }
            return MailAddressText(String(value[value.index(after: open)..<close]))
        }
        let bare = value.strippingEdges(of: " \t")
        guard !bare.contains(","), !bare.contains(" ") else { return nil }
        return MailAddressText(bare)
    }
}

extension Substring {
    func strippingEdges(of set: String) -> Substring {
        var result = self
        while let first = result.first, set.contains(first) { result = result.dropFirst() }
        while let last = result.last, set.contains(last) { result = result.dropLast() }
        return result
    }
}

extension String {
    func strippingEdges(of set: String) -> String { String(Substring(self).strippingEdges(of: set)) }
}
