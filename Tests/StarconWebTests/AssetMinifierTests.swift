import Foundation
import Hummingbird
@testable import StarconWeb
import Testing

@Suite("Asset minifier")
struct AssetMinifierTests {
    @Test func cssLosesCommentsAndSpaceButKeepsMeaning() {
        let css = """
            /* == area == */
            .a :hover, .b > .c {
              content: "↪ ";   color: red;
            }
            """
        #expect(AssetMinifier.css(css) == #".a :hover,.b > .c{content: "↪ ";color: red;}"#)
    }

    @Test func scriptsLoseCommentLinesAndIndentationNotNewlines() {
        let js = "// header\n(function () {\n  // why\n  var a = 1\n  var url = 'http://x/y';\n\n})();\n"
        #expect(AssetMinifier.script(js) == "(function () {\nvar a = 1\nvar url = 'http://x/y';\n})();")
    }

    @Test func bundledAssetsShrink() throws {
        let assets = try Assets.bundled()
        let css = try #require(assets.asset(hashedName: String(assets.url("app.css").dropFirst("/static/".count))))
        #expect(!String(buffer: css.body).contains("/*"))
    }
}
