import NIOCore

/// Collects the lines of a POSTed article until the "." line, undoing dot-stuffing and enforcing the size
/// limit. Past the limit it keeps reading (to find the end) but stores nothing more.
struct ArticleCollector {
    private(set) var lines: [Substring] = []
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
            var text = String(decoding: buffer.readableBytesView, as: UTF8.self)[...]
            if text == "." { return true }
            if text.hasPrefix(".") { text = text.dropFirst() }
            totalBytes += buffer.readableBytes + 2
            guard !truncated else { return false }
            bytes += buffer.readableBytes + 2
            if bytes > NNTPLimits.maxArticleBytes {
                truncated = true
                lines = []
            } else {
                lines.append(text)
            }
            return false
        }
    }
}
