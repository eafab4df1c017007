import NIOCore

/// Collects the lines of a POSTed article until the "." line, undoing dot-stuffing and enforcing the size
/// limit. Past the limit it keeps reading (to find the end) but stores nothing more. Lines stay bytes: the
/// body's charset is only known once the headers are parsed.
struct ArticleCollector {
    private(set) var lines: [[UInt8]] = []
    private(set) var truncated = false
    private var bytes = 0
    /// Bytes seen in all, including what was dropped; past this the client is not sending an article.
    private(set) var totalBytes = 0

    /// Adds a line; true when it was the terminating ".".
    mutating func add(_ line: InboundLine) -> Bool {
        switch line {
        case .overlong:
            truncated = true
            totalBytes += NNTPLimits.maxArticleLine
            return false
        case .line(let buffer):
            var text = buffer.readableBytesView[...]
            if text.elementsEqual([UInt8(ascii: ".")]) { return true }
            if text.first == UInt8(ascii: ".") { text = text.dropFirst() }
            totalBytes += buffer.readableBytes + 2
            guard !truncated else { return false }
            bytes += buffer.readableBytes + 2
            if bytes > NNTPLimits.maxArticleBytes {
                truncated = true
                lines = []
            } else {
                lines.append(Array(text))
            }
            return false
        }
    }
}
