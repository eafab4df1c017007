import StarconMIME
import Testing

@Suite("MIME decoding")
struct DecodingTests {
    @Test(arguments: [
        ("utf-8", [0xED, 0x95, 0x9C], "한"),
        ("us-ascii", [0x41], "A"),
        ("iso-8859-1", [0x63, 0x61, 0x66, 0xE9], "café"),
        ("windows-1252", [0x80, 0x93, 0x94], "€“”"),
        ("koi8-r", [0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4], "Привет"),
        ("windows-1251", [0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2], "Привет"),
        ("euc-kr", [0xC7, 0xD1, 0xB1, 0xB9], "한국"),
        ("ks_c_5601-1987", [0xC7, 0xD1, 0xB1, 0xB9], "한국"),
        ("gb2312", [0xD6, 0xD0, 0xCE, 0xC4], "中文"),
        ("gbk", [0xD6, 0xD0, 0xCE, 0xC4], "中文"),
        ("gb18030", [0xD6, 0xD0, 0xCE, 0xC4], "中文"),
        ("big5", [0xA4, 0xA4, 0xA4, 0xE5], "中文"),
        ("shift_jis", [0x93, 0xFA, 0x96, 0x7B], "日本"),
        ("EUC-JP", [0xC6, 0xFC, 0xCB, 0xDC, 0x41, 0x8E, 0xB1], "日本Aｱ"),
        ("iso-2022-jp", [0x1B, 0x24, 0x42, 0x46, 0x7C, 0x4B, 0x5C, 0x1B, 0x28, 0x42], "日本"),
        ("iso-8859-2", [0xB1], "ą"),
    ] as [(String, [UInt8], String)])
    func charsets(charset: String, bytes: [UInt8], text: String) {
        #expect(Charsets.isSupported(charset))
        #expect(Charsets.decodeReporting(bytes, charset: charset) == (text, true))
    }

    @Test func undecodableTextIsReplacedNotLost() {
        #expect(Charsets.decodeReporting([0x41, 0xFF, 0x0A, 0x42], charset: "x-no-such-charset") == ("A\u{FFFD}\nB", false))
        // Only the bad line is replaced.
        #expect(Charsets.decodeReporting([0xED, 0x95, 0x9C, 0x0A, 0xFF, 0x41], charset: "utf-8") == ("한\n\u{FFFD}A", false))
        #expect(Charsets.decodeReporting([0x93], charset: "shift_jis").exact == false)
    }

    @Test(arguments: [
        ("=?utf-8?B?7ZWc6rWt?=", "한국"),
        ("=?UTF-8?Q?caf=C3=A9_au_lait?=", "café au lait"),
        ("a =?iso-8859-1?q?caf=E9?= b", "a café b"),
        // Whitespace between adjacent words goes; a character split across two words still reads.
        ("=?utf-8?b?7ZU=?= \r\n =?utf-8?b?nOq1rQ==?=", "한국"),
        ("=?utf-8?q?a?= =?iso-8859-1?q?=E9?=", "aé"),
        ("=?koi8-r?B?8NLJ18XU?=", "Привет"),
        ("=?euc-kr?B?x9GxuQ==?=", "한국"),
        ("=?gb2312?B?1tDOxA==?=", "中文"),
        ("=?big5?B?pKSk5Q==?=", "中文"),
        ("=?shift_jis?B?k/qWew==?=", "日本"),
        ("=?euc-jp?B?xvzL3A==?=", "日本"),
        ("=?ISO-2022-JP?B?GyRCRnxLXBsoQg==?=", "日本"),
        ("=?utf-8*ko?B?7ZWc?=", "한"),
        ("Re: =?utf-8?B?0J/RgNC40LLQtdGC?= world", "Re: Привет world"),
        ("=?utf-8?B?5pel5pys?= =?utf-8?B?6Kqe?=", "日本語"),
        // An unknown charset still shows its ASCII.
        ("=?unknown-charset?B?YWJj?=", "abc"),
        ("=?utf-8?B?broken", "=?utf-8?B?broken"),
        // Malformed words stay as they are.
        ("=?utf-8?X?abc?=", "=?utf-8?X?abc?="),
        ("=?utf-8?Q?a=Zb?=", "=?utf-8?Q?a=Zb?="),
        ("=?utf-8?B?not base64?=", "=?utf-8?B?not base64?="),
        ("=?", "=?"),
        ("plain", "plain"),
    ])
    func encodedWords(encoded: String, decoded: String) {
        #expect(EncodedWords.decode(encoded) == decoded)
    }

    @Test func encodedWordSearchStaysLinear() {
        let hostile = String(repeating: "=?a?q?", count: 20000)
        #expect(EncodedWords.decode(hostile) == hostile)
    }

    @Test(arguments: ["hello", "안녕하세요 여러분, 오늘은 뉴스그룹에 관한 아주 긴 제목을 써 보겠습니다 정말 길어요", "Привет", "混合 mixed テキスト"])
    func encodedWordsRoundTrip(text: String) {
        let encoded = EncodedWords.encode(text)
        #expect(EncodedWords.decode(encoded) == text)
        #expect(encoded.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(encoded.split(separator: " ").allSatisfy { $0.count <= 75 })
    }

    @Test func encodingWords() {
        #expect(EncodedWords.encode("plain") == "plain")
        #expect(EncodedWords.encode("한국") == "=?utf-8?B?7ZWc6rWt?=")
        let long = String(repeating: "한국어 ", count: 30)
        let words = EncodedWords.words(long)
        #expect(words.allSatisfy { $0.utf8.count <= 75 })
        #expect(EncodedWords.decode(words.joined(separator: " ")) == long)
    }

    @Test func base64AndQuotedPrintable() {
        #expect(Base64.decode(Array("aGVs\r\nbG8=".utf8)) == (Array("hello".utf8), true))
        #expect(Base64.decode(Array("aGVsbG8".utf8)) == (Array("hello".utf8), true))
        #expect(Base64.decode(Array("aGVsbG8=a".utf8)).clean == false)
        #expect(Base64.decode(Array("%%%".utf8)) == ([], false))
        let bytes: [UInt8] = (0..<200).map { UInt8($0 % 256) }
        let encoded = Base64.encode(bytes)
        #expect(encoded.split(separator: 0x0A).allSatisfy { $0.count <= 77 })
        #expect(Base64.decode(encoded) == (bytes, true))

        #expect(QuotedPrintable.decode(Array("a=3Db =\r\nc  \r\nd=e9".utf8)) == (Array("a=b c\r\nd".utf8) + [0xE9], true))
        #expect(QuotedPrintable.decode(Array("50% =ZZ off".utf8)) == (Array("50% =ZZ off".utf8), false))
        let text = "Le café — " + String(repeating: "long line ", count: 20) + "\nFrom here.\n.\nend \n"
        let qp = QuotedPrintable.encode(Array(text.utf8))
        #expect(qp.split(separator: 0x0A).allSatisfy { $0.count <= 77 })
        #expect(QuotedPrintable.decode(qp) == (Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8), true))
        let binary: [UInt8] = [0x0D, 0x0A, 0x00, 0xFF, 0x3D, 0x20]
        #expect(QuotedPrintable.decode(QuotedPrintable.encode(binary, binary: true)) == (binary, true))
    }

    @Test(arguments: [
        ("text/plain; charset=utf-8", "text/plain", ["charset": "utf-8"]),
        ("text/plain;charset=\"us-ascii\";format=flowed", "text/plain", ["charset": "us-ascii", "format": "flowed"]),
        ("multipart/mixed; boundary=\"a;b=c\\\"d\"", "multipart/mixed", ["boundary": "a;b=c\"d"]),
        ("application/x-stuff; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A", "application/x-stuff", ["title": "This is ***fun***"]),
        ("application/x-stuff; title*0*=us-ascii'en'This%20is%20even%20more%20; title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*2=\"isn't it!\"",
         "application/x-stuff", ["title": "This is even more ***fun*** isn't it!"]),
        ("attachment; filename*=UTF-8''%ED%95%9C%EA%B5%AD.pdf; filename=\"fallback.pdf\"", "attachment", ["filename": "한국.pdf"]),
        ("attachment; filename*0=\"a;b\"; filename*1=\".txt\"", "attachment", ["filename": "a;b.txt"]),
        ("attachment; filename=\"=?utf-8?B?7ZWc?=.txt\"", "attachment", ["filename": "=?utf-8?B?7ZWc?=.txt"]),
        ("attachment; filename=한국.txt", "attachment", ["filename": "한국.txt"]),
        ("inline (a comment); size = 42 (bytes)", "inline", ["size": "42"]),
        ("text/plain; ; charset=x; =y; novalue", "text/plain", ["charset": "x"]),
        ("attachment; filename*=iso-8859-1''caf%E9.txt", "attachment", ["filename": "café.txt"]),
    ] as [(String, String, [String: String])])
    func parameters(value: String, head: String, expected: [String: String]) {
        let parsed = HeaderParameters.parse(value)
        #expect(parsed.value == head)
        #expect(parsed.parameters.count == expected.count)
        for (name, expectedValue) in expected { #expect(parsed.parameters[name] == expectedValue) }
    }

    @Test func formUploadBackslashes() {
        let parsed = HeaderParameters.parse("form-data; name=\"file\"; filename=\"C:\\photos\\a.jpg\"", backslashEscapes: false)
        #expect(parsed.parameters["filename"] == "C:\\photos\\a.jpg")
    }

    @Test func filenamesDecodeEncodedWords() {
        let raw = Array("Content-Type: text/plain; name=\"=?utf-8?B?7ZWc?=.txt\"\n\nx".utf8)
        #expect(MIMEParser.parse(raw).filename == "한.txt")
    }
}
