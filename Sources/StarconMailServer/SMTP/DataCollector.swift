import StarconTLS

/// The lines of one DATA, up to the `.` line (RFC 5321 §4.1.1.4), dot-unstuffed (§4.5.2), every line
/// ending CRLF. Only `CRLF . CRLF` ends the message: a `.` after a bare LF is text, so a message cannot
/// smuggle a second one past another server that reads line ends differently.
struct DataCollector {
    let maxBytes: Int
    private(set) var message: [UInt8] = []
    /// More than `maxBytes` arrived; the rest was counted and dropped.
    private(set) var truncated = false
    /// A line was over the limit; the message is refused once it ends.
    private(set) var hadOverlongLine = false
    private(set) var finished = false
    private var previousEndedCRLF = true
    private(set) var receivedBytes = 0

    init(maxBytes: Int) {
        self.maxBytes = maxBytes
    }

    mutating func add(_ frame: LineFrame) {
        switch frame {
        case .tooLong(let crlf):
            hadOverlongLine = true
            previousEndedCRLF = crlf
        case .line(let buffer, let crlf):
            var bytes = buffer.readableBytesView[...]
            if crlf, previousEndedCRLF, bytes.count == 1, bytes.first == UInt8(ascii: ".") {
                finished = true
                return
            }
            previousEndedCRLF = crlf
            if bytes.first == UInt8(ascii: ".") { bytes = bytes.dropFirst() }
            receivedBytes += bytes.count + 2
            guard !truncated else { return }
            if message.count + bytes.count + 2 > maxBytes {
                truncated = true
                message = []
                return
            }
            message.append(contentsOf: bytes)
            message.append(0x0D)
            message.append(0x0A)
        }
    }
}
