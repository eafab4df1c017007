import Foundation
@testable import StarconWeb
import Testing

@Suite("Messenger frames")
struct MessengerFrameTests {
    @Test func theEventNameComesFirstAndThePayloadIsJSON() throws {
        let frame = MessengerJSON.frame("read", ["conversation_id": "7", "text": "김 \"quoted\" </script>"])
        #expect(frame.hasPrefix(#"{"event":"read","payload":{"#))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(frame.utf8)) as? [String: Any])
        #expect(object["event"] as? String == "read")
        #expect((object["payload"] as? [String: Any])?["text"] as? String == "김 \"quoted\" </script>")
    }

    @Test func anEmptyPayloadIsAnEmptyObject() {
        #expect(MessengerJSON.frame("pong", [String: Any]()) == #"{"event":"pong","payload":{}}"#)
    }
}
