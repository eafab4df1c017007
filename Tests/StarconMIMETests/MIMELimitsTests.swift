import StarconMIME
import Testing

@Suite("MIME bombs")
struct MIMELimitsTests {
    /// `depth` multiparts, one inside the other.
    static func nested(_ depth: Int) -> [UInt8] {
        var text = ""
        for level in 0..<depth { text += "Content-Type: multipart/mixed; boundary=b\(level)\n\n--b\(level)\n" }
        text += "\ninnermost\n"
        for level in (0..<depth).reversed() { text += "--b\(level)--\n" }
        return Array(text.utf8)
    }

    @Test func deepNestingStopsAtTheLimit() {
        let root = MIMEParser.parse(Self.nested(200), limits: MIMELimits(maxDepth: 10))
        var depth = 0
        var entity = root
        while let child = entity.children.first {
            entity = child
            depth += 1
        }
        #expect(depth == 10)
        #expect(entity.contentType == .opaque)
        #expect(entity.problems == [.limitExceeded(.depth)])
        #expect(root.allProblems.contains(.limitExceeded(.depth)))
        // The default limit holds too, however deep the message goes.
        let deep = MIMEParser.parse(Self.nested(5000))
        #expect(deep.allProblems.contains(.limitExceeded(.depth)))
    }

    @Test func nestedMessagesCountAsDepth() {
        let text = String(repeating: "Content-Type: message/rfc822\n\n", count: 100) + "Subject: end\n\nx"
        let root = MIMEParser.parse(Array(text.utf8), limits: MIMELimits(maxDepth: 5))
        #expect(root.allProblems == [.limitExceeded(.depth)])
    }

    @Test func thousandsOfPartsEndInOneOpaqueLeaf() {
        var text = "Content-Type: multipart/mixed; boundary=b\n\n"
        for index in 0..<5000 { text += "--b\n\npart \(index)\n" }
        text += "--b--\n"
        let raw = Array(text.utf8)
        let root = MIMEParser.parse(raw, limits: MIMELimits(maxParts: 100))
        #expect(root.children.count == 100)
        let rest = root.children.last!
        #expect(rest.contentType == .opaque)
        #expect(rest.problems == [.limitExceeded(.parts)])
        #expect(string(rest.bodyBytes).hasPrefix("\npart 99\n--b\n"))
        #expect(string(rest.bodyBytes).hasSuffix("part 4999"))
        #expect(root.children[98].text == "part 98")
    }

    @Test func headerLimits() {
        let many = String(repeating: "X-A: 1\n", count: 50) + "\nbody"
        let root = MIMEParser.parse(Array(many.utf8), limits: MIMELimits(maxHeaderFields: 10))
        #expect(root.header.count == 10)
        #expect(root.problems == [.limitExceeded(.headerFields)])
        #expect(root.text == "body")
        let huge = "Subject: a\nX-Long: " + String(repeating: "y", count: 5000) + "\n\nbody"
        let cut = MIMEParser.parse(Array(huge.utf8), limits: MIMELimits(maxHeaderBytes: 1000))
        #expect(cut.header.map(\.name) == ["Subject"])
        #expect(cut.problems == [.limitExceeded(.headerBytes)])
        #expect(cut.contentType == .opaque)
        #expect(string(cut.bodyBytes).hasPrefix("X-Long: yyy"))
    }
}
