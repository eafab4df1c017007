/// Cuts the client's byte stream into whole commands, before any parsing: a command is a line, and when the
/// line ends in a literal's size (`{n}` or LITERAL+'s `{n+}`), that many octets and the line after them.
///
///     literal = "{" number ["+"] "}" CRLF *CHAR8
///
/// The size is checked when its line ends, before a single octet of the literal is read: a synchronizing
/// literal that is too large is refused instead of the `+` continuation (RFC 3501 §7.5), so the client never
/// sends it; a non-synchronizing one is already on its way and is skipped unread, then the rest of its command.
/// Lines longer than the limit are skipped to their LF. Pure and incremental: feed it bytes as they arrive.
public struct CommandFramer: Sendable {
    public enum Event: Equatable, Sendable {
        /// One whole command: its lines (CRLF inside, before each literal's octets) and literals, without the
        /// final CRLF.
        case command([UInt8])
        /// The client waits for a continuation request (`+ …`) before it sends the literal.
        case continuation
        /// The command was dropped, unread beyond what its reply needs; answer it with BAD or NO.
        case refused(tag: String?, Refusal)
    }

    public enum Refusal: Equatable, Sendable {
        case lineTooLong
        case literalTooLarge
        case tooManyLiterals
    }

    private enum State: Equatable, Sendable {
        case line
        case literal(remaining: Int)
        /// Skipping a refused command: octets of a literal, then lines.
        case skippingLiteral(remaining: Int)
        case skippingLine
    }

    public let maxLineLength: Int
    public let maxLiteralSize: Int
    public let maxCommandSize: Int
    private var state = State.line
    private var command: [UInt8] = []
    private var lineStart = 0
    private var literals = 0

    public init(maxLineLength: Int = IMAPLimits.maxLineLength, maxLiteralSize: Int = IMAPLimits.maxLiteralSize) {
        self.maxLineLength = maxLineLength
        self.maxLiteralSize = maxLiteralSize
        self.maxCommandSize = maxLiteralSize + 16 * maxLineLength
    }

    /// Whether a command is partly read (for a client that closes mid-command).
    public var isIdle: Bool { state == .line && command.isEmpty }

    public mutating func feed(_ bytes: some BidirectionalCollection<UInt8>) -> [Event] {
        var events: [Event] = []
        var index = bytes.startIndex
        while index != bytes.endIndex {
            switch state {
            case .literal(let remaining):
                let end = bytes.index(index, offsetBy: remaining, limitedBy: bytes.endIndex) ?? bytes.endIndex
                command.append(contentsOf: bytes[index..<end])
                let left = remaining - bytes.distance(from: index, to: end)
                index = end
                state = left == 0 ? .line : .literal(remaining: left)
                if left == 0 { lineStart = command.count }
            case .skippingLiteral(let remaining):
                let end = bytes.index(index, offsetBy: remaining, limitedBy: bytes.endIndex) ?? bytes.endIndex
                let left = remaining - bytes.distance(from: index, to: end)
                index = end
                state = left == 0 ? .skippingLine : .skippingLiteral(remaining: left)
            case .skippingLine:
                guard let newline = bytes[index...].firstIndex(of: 0x0A) else { index = bytes.endIndex; continue }
                let line = bytes[index..<newline]
                index = bytes.index(after: newline)
                // A skipped line may itself end in a LITERAL+ literal that is on its way.
                if let (size, synchronizing) = Self.literalSize(atEndOf: line), !synchronizing {
                    state = .skippingLiteral(remaining: size)
                } else {
                    state = .line
                }
            case .line:
                let newline = bytes[index...].firstIndex(of: 0x0A)
                let end = newline ?? bytes.endIndex
                command.append(contentsOf: bytes[index..<end])
                index = newline.map { bytes.index(after: $0) } ?? bytes.endIndex
                guard newline != nil else {
                    if command.count - lineStart > maxLineLength {
                        events.append(refuse(.lineTooLong))
                        state = .skippingLine
                    }
                    continue
                }
                // Only this line's CR: a literal may itself end in one (found by the fuzzer).
                if command.count > lineStart, command.last == 0x0D { command.removeLast() }
                guard command.count - lineStart <= maxLineLength else {
                    events.append(refuse(.lineTooLong))
                    state = .line
                    continue
                }
                if let event = endOfLine() { events.append(event) }
            }
        }
        return events
    }

    /// At a line's end: the command is whole, or a literal follows.
    private mutating func endOfLine() -> Event? {
        guard let (size, synchronizing) = Self.literalSize(atEndOf: command[lineStart...]) else {
            let whole = command
            reset()
            return .command(whole)
        }
        literals += 1
        if literals > IMAPLimits.maxLiterals || size > maxLiteralSize || command.count + size > maxCommandSize {
            let event = refuse(literals > IMAPLimits.maxLiterals ? .tooManyLiterals : .literalTooLarge)
            // A synchronizing literal is never sent without our "+"; a LITERAL+ one is skipped unread.
            state = synchronizing ? .line : .skippingLiteral(remaining: size)
            return event
        }
        command.append(contentsOf: [0x0D, 0x0A])
        state = size == 0 ? .line : .literal(remaining: size)
        lineStart = command.count
        return synchronizing ? .continuation : nil
    }

    private mutating func refuse(_ refusal: Refusal) -> Event {
        let tag = CommandParser.tag(of: command)
        reset()
        return .refused(tag: tag, refusal)
    }

    private mutating func reset() {
        command = []
        lineStart = 0
        literals = 0
        state = .line
    }

    /// `{n}` or `{n+}` at the very end of a line (CR removed), with n's value (saturating, so an absurd size is
    /// simply too large).
    static func literalSize(atEndOf line: some BidirectionalCollection<UInt8>) -> (Int, Bool)? {
        var end = line.endIndex
        if end != line.startIndex, line[line.index(before: end)] == 0x0D { end = line.index(before: end) }
        guard end != line.startIndex, line[line.index(before: end)] == UInt8(ascii: "}") else { return nil }
        var cursor = line.index(before: end)
        var synchronizing = true
        if cursor != line.startIndex, line[line.index(before: cursor)] == UInt8(ascii: "+") {
            synchronizing = false
            cursor = line.index(before: cursor)
        }
        var digitsStart = cursor
        while digitsStart != line.startIndex, IMAPCharacters.isDigit(line[line.index(before: digitsStart)]) {
            digitsStart = line.index(before: digitsStart)
        }
        guard digitsStart != cursor, digitsStart != line.startIndex, line[line.index(before: digitsStart)] == UInt8(ascii: "{") else {
            return nil
        }
        var size = 0
        for digit in line[digitsStart..<cursor] {
            let (times, o1) = size.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(Int(digit - 0x30))
            size = o1 || o2 ? Int.max : sum
        }
        return (size, synchronizing)
    }
}
