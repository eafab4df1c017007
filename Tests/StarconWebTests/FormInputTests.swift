@testable import StarconWeb
import Testing

@Suite("Form parsing")
struct FormInputTests {
    @Test func parsesPercentEncodedUTF8() {
        let fields = FormInput.parse("username=kim&display_name=%EA%B9%80%EB%AF%BC%EC%A4%80&bio=a+b%26c&empty=")
        #expect(fields?["display_name"] == "김민준")
        #expect(fields?["bio"] == "a b&c")
        #expect(fields?["empty"] == "")
    }

    @Test(arguments: ["name=%FF%FE", "x=%E0%A4", "x=%zz"])
    func rejectsInvalidEncoding(body: String) {
        #expect(FormInput.parse(body) == nil)
    }

    @Test func csrfTokensAreBoundToTheirSeed() {
        let tokens = CSRFTokens(secret: "s3cret")
        let token = tokens.token(seed: "session-a")
        #expect(tokens.verify(token, seed: "session-a"))
        #expect(!tokens.verify(token, seed: "session-b"))
        #expect(!CSRFTokens(secret: "other").verify(token, seed: "session-a"))
        #expect(!tokens.verify("", seed: "session-a"))
    }

    @Test func flashRoundTripsThroughItsCookie() {
        let flash = Flash("approvals_approved", ["name": "Ольга; x=1"])
        let back = Flash(cookieValue: flash.cookieValue)
        #expect(back?.key == "approvals_approved" && back?.values["name"] == "Ольга; x=1")
        #expect(flash.cookieValue.allSatisfy { $0.isASCII && $0 != ";" && $0 != " " && $0 != "," })
        #expect(Flash(cookieValue: "<script>") == nil)
    }

    @Test func devicesGetShortNames() {
        #expect(DeviceName.describe("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0") == "Firefox · Linux")
        #expect(DeviceName.describe("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36") == "Chrome · Android")
        #expect(DeviceName.describe("") == nil)
    }

    @Test func onlyLocalPathsAreFollowed() {
        #expect(WebServices.safeLocalPath("/settings") == "/settings")
        #expect(WebServices.safeLocalPath("//evil.example/") == nil)
        #expect(WebServices.safeLocalPath("https://evil.example/") == nil)
        #expect(WebServices.safeLocalPath("/\\evil") == nil)
        #expect(WebServices.safeLocalPath("/") == "/")
        #expect(WebServices.safeLocalPath("/tags/서울?page=2") == "/tags/서울?page=2")
        #expect(WebServices.safeLocalPath("/@minjun") == "/@minjun")
        // Browsers drop tabs and newlines from a URL ("/\t/host" is "//host") and some trim spaces.
        for path in ["/\t/evil.example/", "/\n/evil.example", "/\r\n/evil", "/ /evil", "/\u{00A0}/evil", "/\u{2028}x", "/a\u{0}b",
                     "/a\\b", " /x", "", "evil", "/\u{7F}x"] {
            #expect(WebServices.safeLocalPath(path) == nil, "\(path.debugDescription)")
        }
    }

    @Test func forwardedForIsBelievedOnlyFromTrustedProxies() throws {
        let proxies = try #require(TrustedProxies(parsing: "127.0.0.1, 10.0.0.2 ::1"))
        // The right-most address that is not a trusted proxy; what the client wrote further left is ignored.
        #expect(proxies.clientAddress(peer: "127.0.0.1", forwardedFor: ["198.51.100.66, 203.0.113.7"]) == "203.0.113.7")
        #expect(proxies.clientAddress(peer: "127.0.0.1", forwardedFor: ["198.51.100.66", "203.0.113.7, 10.0.0.2"]) == "203.0.113.7")
        #expect(proxies.clientAddress(peer: "::1", forwardedFor: ["[2001:db8::1]"]) == "2001:db8::1")
        // From anyone else the header is the client's own claim.
        #expect(proxies.clientAddress(peer: "192.0.2.1", forwardedFor: ["203.0.113.7"]) == "192.0.2.1")
        // A garbled hop ends the walk at the last trusted proxy.
        #expect(proxies.clientAddress(peer: "127.0.0.1", forwardedFor: ["203.0.113.7, not-an-address"]) == "127.0.0.1")
        #expect(proxies.clientAddress(peer: "127.0.0.1", forwardedFor: ["10.0.0.2"]) == "10.0.0.2", "only proxies: the first one")
        #expect(TrustedProxies(parsing: "127.0.0.1, proxy.example") == nil)
        #expect(TrustedProxies(parsing: "")?.addresses.isEmpty == true)
    }
}
