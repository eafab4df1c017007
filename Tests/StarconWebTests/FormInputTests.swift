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
    }
}
