import Foundation
@testable import StarconWeb
import Testing

@Suite("JSON writer")
struct JSONWriterTests {
    @Test func writesWhatJSONSerializationReadsBack() throws {
        let optionalNone: String? = nil
        let value: [String: Any] = [
            "text": "김 \"q\" \\ / </script>\n\t\u{1}", "int": 42, "int64": Int64.max, "negative": -7, "bool": true,
            "false": false, "double": 1.5, "whole": 2.0, "null": NSNull(), "none": optionalNone as Any,
            "some": Optional("x") as Any, "array": [1, "two", ["three": 3]] as [Any], "strings": ["a": "b"],
            "empty": [String: Any](), "list": [[String: Any]](),
        ]
        let bytes = try JSONWriter.bytes(value)
        let back = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(back["text"] as? String == "김 \"q\" \\ / </script>\n\t\u{1}")
        #expect(back["int"] as? Int == 42 && back["int64"] as? Int64 == Int64.max && back["negative"] as? Int == -7)
        #expect(back["bool"] as? Bool == true && back["false"] as? Bool == false)
        #expect(back["double"] as? Double == 1.5 && back["whole"] as? Int == 2)
        #expect(back["null"] is NSNull && back["none"] is NSNull && back["some"] as? String == "x")
        #expect((back["array"] as? [Any])?.count == 3)
        #expect((back["strings"] as? [String: String]) == ["a": "b"])
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains(#""김 \"q\" \\ / </script>\n\t\u0001""#), "slashes and non-ASCII as they are, controls escaped")
    }

    @Test func sortedKeysAreSorted() throws {
        #expect(try JSONWriter.string(["b": 1, "a": ["d": 1, "c": 2]], sortedKeys: true) == #"{"a":{"c":2,"d":1},"b":1}"#)
    }

    @Test func unsupportedValuesAreRefusedNotGuessed() {
        #expect(throws: JSONWriter.Unsupported.self) { try JSONWriter.bytes(["when": Date()]) }
        #expect(throws: JSONWriter.Unsupported.self) { try JSONWriter.bytes(["x": Double.nan]) }
    }
}
