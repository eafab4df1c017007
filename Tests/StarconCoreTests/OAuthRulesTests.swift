@testable import StarconCore
import Testing

@Suite("OAuth rules")
struct OAuthRulesTests {
    @Test func scopesParseAndGrantLikeMastodon() {
        let scopes = Scopes("read write:statuses+follow")
        #expect(scopes.values == ["read", "write:statuses", "follow"])
        #expect(scopes.isValid)
        #expect(scopes.grants("read:accounts"), "read grants its parts")
        #expect(scopes.grants("write:statuses") && !scopes.grants("write:media"))
        #expect(scopes.grants("read:follows") && scopes.grants("write:follows"), "follow covers the follow parts")
        #expect(Scopes("read").isSubset(of: scopes) && !Scopes("write").isSubset(of: scopes))
        #expect(scopes.description == "follow read write:statuses")
    }

    @Test func tokensAreStoredAsTheirSHA256InLowerCaseHex() {
        #expect(Secrets.digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Secrets.hex([0x00, 0x0f, 0xf0, 0xff]) == "000ff0ff")
    }

    @Test func unknownScopesAreInvalid() {
        for text in ["", "admin", "read admin:everything", "readwrite", "push:x"] {
            #expect(!Scopes(text).isValid, "\(text)")
        }
    }

    @Test func redirectURIsThatCouldRunCodeAreRefused() {
        for uri in ["urn:ietf:wg:oauth:2.0:oob", "https://app.example/callback", "http://127.0.0.1:9/cb?x=1", "tootapp://oauth"] {
            #expect(OAuthService.isAcceptableRedirect(uri), "\(uri)")
        }
        for uri in ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<b>", "https://app.example/cb#frag",
                    "no-scheme", "/relative", "file:///etc/passwd", "vbscript:x"] {
            #expect(!OAuthService.isAcceptableRedirect(uri), "\(uri)")
        }
    }
}
