import Foundation
import NIOConcurrencyHelpers
import StarconCore
import StarconIMAP
@testable import StarconMailServer
import Testing

/// Mutated command streams (the grammar fuzzer's corpus) through the framer into a signed-in session with a
/// mailbox selected: every command gets a reply, nothing crashes, and the session still answers after.
@Suite("IMAP session fuzz")
struct SessionFuzzTests {
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state
        }
    }

    static let corpus: [[UInt8]] = {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fuzz/corpus/imap-command").standardized
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.sorted().compactMap { try? [UInt8](Data(contentsOf: directory.appendingPathComponent($0))) }
    }()

    static let pieces = ["1:*", "*", " ", "(", ")", "[", "]", "<0.5>", "{3}\r\n", "\"", "\\", "UID ", "BODY[1.MIME]", "BODY.PEEK[HEADER]",
                         "FLAGS", "+FLAGS.SILENT", "\\Deleted", "NOT ", "OR ", "INBOX", "Trash", "\r\n", "0", "4294967295", "한"]

    @Test func mutatedStreamsAlwaysGetAnAnswer() async throws {
        #expect(!Self.corpus.isEmpty)
        try await SessionStore.withCore { core in
            let kim = try await SessionStore.member(core, "kim")
            let inbox = try await core.mail.mailbox(role: .inbox, of: kim)
            for n in 1...3 { _ = try await core.mail.append(SessionStore.message("m\(n)"), to: inbox.id, of: kim) }
            var random = SeededGenerator(state: 13)
            for round in 0..<60 {
                let c = Conversation(core: core)
                await c.say("a LOGIN kim \"correct horse battery\"")
                await c.say("b SELECT INBOX")
                var input = Self.corpus[round % Self.corpus.count]
                for _ in 0..<Int.random(in: 1...6, using: &random) {
                    let position = Int.random(in: 0...input.count, using: &random)
                    switch Int.random(in: 0..<3, using: &random) {
                    case 0: input.insert(contentsOf: Array(Self.pieces.randomElement(using: &random)!.utf8), at: position)
                    case 1: if position < input.count { input.remove(at: position) }
                    default: if position < input.count { input[position] = UInt8.random(in: 0...255, using: &random) }
                    }
                }
                var framer = CommandFramer()
                for event in framer.feed(input + Array("\r\n".utf8)) {
                    switch event {
                    case .continuation: break
                    case .refused(let tag, let refusal): _ = await c.session.refused(tag: tag, refusal)
                    case .command(let bytes):
                        if await c.session.receive(bytes) == .close { break }
                    }
                }
                _ = c.take()
                if c.session.idleTag != nil { await c.say("DONE") }
                let after = await c.say("z NOOP")
                #expect(after.hasSuffix("z OK NOOP completed\r\n") || after.contains("BYE") || after.contains("z BAD"), "round \(round): \(after)")
            }
        }
    }
}
