/// IMAP part numbers (RFC 3501 §6.4.5): the parts of a multipart are 1, 2, …; a message that is not multipart
/// has one part, 1, its body; the parts inside a message/rfc822 part `n` are `n.1`, `n.2`, … (or `n.1` for its
/// body when the enclosed message is not multipart).
extension MIMEEntity {
    /// The part with that number, called on a message (the top entity, or an enclosed one); nil when there is none.
    /// `[]` is the message itself.
    public func part(_ number: [Int]) -> MIMEEntity? {
        var current = self
        for (position, index) in number.enumerated() {
            if position > 0 {
                if let inner = current.enclosedMessage {
                    current = inner
                } else if !current.isMultipart {
                    return nil
                }
            }
            if current.isMultipart {
                guard index >= 1, index <= current.children.count else { return nil }
                current = current.children[index - 1]
            } else {
                guard index == 1 else { return nil }
            }
        }
        return current
    }

    /// The part named by a dotted section such as `1.2.3` (only the numbers; IMAP's HEADER, TEXT and MIME are
    /// the caller's: `headerRange` and `bodyRange` of the part, or of its `enclosedMessage`).
    public func part(section: String) -> MIMEEntity? {
        guard let number = MIMEPartNumber.parse(section) else { return nil }
        return part(number)
    }

    /// Every part with its number, in the order of a BODYSTRUCTURE (depth first); multiparts included.
    public var numberedParts: [(number: [Int], entity: MIMEEntity)] {
        var found: [(number: [Int], entity: MIMEEntity)] = []
        func walk(_ entity: MIMEEntity, _ number: [Int]) {
            found.append((number, entity))
            for (index, child) in entity.children.enumerated() { walk(child, number + [index + 1]) }
            if let inner = entity.enclosedMessage {
                if inner.isMultipart {
                    for (index, child) in inner.children.enumerated() { walk(child, number + [index + 1]) }
                } else {
                    walk(inner, number + [1])
                }
            }
        }
        if isMultipart {
            for (index, child) in children.enumerated() { walk(child, [index + 1]) }
        } else {
            walk(self, [1])
        }
        return found
    }

    /// The leaves a reader shows or offers, in order: every part that is not a multipart (a message/rfc822 part
    /// is one leaf, a forwarded message; its own parts are in its `enclosedMessage`).
    public var leaves: [MIMEEntity] {
        if isMultipart { return children.flatMap(\.leaves) }
        return [self]
    }
}

/// Dotted part numbers: `1.2.3` ↔ `[1, 2, 3]`.
public enum MIMEPartNumber {
    public static func parse(_ text: String) -> [Int]? {
        guard !text.isEmpty else { return [] }
        var number: [Int] = []
        for piece in text.split(separator: ".", omittingEmptySubsequences: false) {
            guard !piece.isEmpty, piece.count <= 9, piece.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int(piece), value > 0 else {
                return nil
            }
            number.append(value)
        }
        return number
    }

    public static func format(_ number: [Int]) -> String { number.map(String.init).joined(separator: ".") }
}
