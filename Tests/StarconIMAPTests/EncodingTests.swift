import StarconIMAP
import Testing

@Suite("IMAP responses and mailbox names")
struct EncodingTests {
    static let names: [(String, String)] = [
        ("INBOX", "INBOX"), ("Tom & Jerry", "Tom &- Jerry"), ("보관", "&vPStAA-"), ("日本語", "&ZeVnLIqe-"),
        ("~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"), ("€uro", "&IKw-uro"), ("😀", "&2D3eAA-"),
    ]

    @Test(arguments: names)
    func modifiedUTF7(name: String, wire: String) {
        #expect(ModifiedUTF7.encode(name) == wire)
        #expect(ModifiedUTF7.decode(wire) == name)
    }

    @Test(arguments: ["&", "&Jjo", "&AGE-", "&2D0-", "&ycDGtA=-", "a\u{7}b&-"])
    func badModifiedUTF7(wire: String) {
        #expect(ModifiedUTF7.decode(wire) == nil)
    }

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func statusResponses() {
        #expect(Self.text(Response.tagged("a1", .ok, code: .readWrite, "SELECT completed")) == "a1 OK [READ-WRITE] SELECT completed\r\n")
        #expect(Self.text(Response.tagged("a1", .ok, code: .copyUID(validity: 7, source: .compact([1, 2, 3]), destination: .compact([10, 11, 12])), "done"))
            == "a1 OK [COPYUID 7 1:3 10:12] done\r\n")
        #expect(Self.text(Response.untagged(.bye, "bad\r\nline")) == "* BYE bad  line\r\n")
        #expect(Self.text(Response.list(attributes: ["\\HasNoChildren", "\\Sent"], delimiter: "/", name: "보관/Sent"))
            == "* LIST (\\HasNoChildren \\Sent) \"/\" &vPStAA-/Sent\r\n")
        #expect(Self.text(Response.list(attributes: [], delimiter: "/", name: "My Box")) == "* LIST () \"/\" \"My Box\"\r\n")
        #expect(Self.text(Response.status("INBOX", [(.messages, 3), (.unseen, 1)])) == "* STATUS INBOX (MESSAGES 3 UNSEEN 1)\r\n")
    }

    @Test func fetchResponses() {
        let envelope = Envelope(date: "Fri, 4 Dec 2026 23:00:00 +0000", subject: "Say \"hi\"",
                                from: [Envelope.Address(name: "김민준", mailbox: "kim", host: "starcon.local")],
                                to: [Envelope.Address(name: nil, mailbox: "lee", host: "starcon.local")], messageID: "<1@x>")
        let bytes = Response.fetch(2, [.uid(9), .flags(["\\Seen"]), .envelope(envelope), .section(name: "BODY[TEXT]", origin: 4, data: Array("ab\r\n".utf8))])
        #expect(Self.text(bytes) == "* 2 FETCH (UID 9 FLAGS (\\Seen) ENVELOPE (\"Fri, 4 Dec 2026 23:00:00 +0000\" \"Say \\\"hi\\\"\" "
            + "(({9}\r\n김민준 NIL \"kim\" \"starcon.local\")) (({9}\r\n김민준 NIL \"kim\" \"starcon.local\")) (({9}\r\n김민준 NIL \"kim\" \"starcon.local\")) "
            + "((NIL NIL \"lee\" \"starcon.local\")) NIL NIL NIL \"<1@x>\") BODY[TEXT]<4> {4}\r\nab\r\n)\r\n")
    }

    @Test func bodyStructures() {
        let text = BodyStructure.single(.init(type: "text", subtype: "plain", parameters: [.init("charset", "utf-8")], octets: 12, lines: 1))
        let file = BodyStructure.single(.init(type: "application", subtype: "pdf", encoding: "base64", octets: 100,
                                              disposition: .init("attachment", parameters: [.init("filename", "a.pdf")])))
        let mixed = BodyStructure.multipart([text, file], .init(subtype: "mixed", parameters: [.init("boundary", "b1")]))
        #expect(Self.text(Response.fetch(1, [.bodyStructure(mixed, extensible: true)])) == "* 1 FETCH (BODYSTRUCTURE ("
            + "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 12 1 NIL NIL NIL NIL)"
            + "(\"APPLICATION\" \"PDF\" NIL NIL NIL \"BASE64\" 100 NIL (\"ATTACHMENT\" (\"FILENAME\" \"a.pdf\")) NIL NIL)"
            + " \"MIXED\" (\"BOUNDARY\" \"b1\") NIL NIL NIL))\r\n")
        #expect(Self.text(Response.fetch(1, [.bodyStructure(mixed, extensible: false)])) == "* 1 FETCH (BODY ("
            + "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 12 1)(\"APPLICATION\" \"PDF\" NIL NIL NIL \"BASE64\" 100) \"MIXED\"))\r\n")
    }
}
