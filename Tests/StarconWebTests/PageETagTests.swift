import Hummingbird
@testable import StarconWeb
import Testing

@Suite("Page validators")
struct PageETagTests {
    @Test func perRenderKeysDoNotChangeTheTag() {
        let one = PageETag.of(#"<form><input name="client_key" value="aaaa" data-per-render><p>hi</p></form>"#)
        let two = PageETag.of(#"<form><input name="client_key" value="bbbbbb" data-per-render><p>hi</p></form>"#)
        #expect(one == two)
        #expect(one.hasPrefix("W/\""))
        #expect(one != PageETag.of(#"<form><input name="client_key" value="aaaa" data-per-render><p>ho</p></form>"#))
        #expect(PageETag.of(#"<input value="a"><input value="b">"#) != PageETag.of(#"<input value="a"><input value="c">"#),
                "only marked values are left out")
    }

    @Test func ifNoneMatchIsAWeakComparisonOverAList() {
        typealias Middleware = ConditionalPageMiddleware<BasicRequestContext>
        #expect(Middleware.matches(#"W/"abc""#, #"W/"abc""#))
        #expect(Middleware.matches(#""abc""#, #"W/"abc""#))
        #expect(Middleware.matches(#""x", W/"abc""#, #"W/"abc""#))
        #expect(Middleware.matches("*", #"W/"abc""#))
        #expect(!Middleware.matches(#"W/"abd""#, #"W/"abc""#))
    }
}
