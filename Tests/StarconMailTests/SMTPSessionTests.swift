import Foundation
import NIOConcurrencyHelpers
import StarconMail
import Testing

/// A policy with two members on `starcon.local`, one of them suspended, that keeps what it is given.
final class TestPolicy: SMTPPolicy, @unchecked Sendable {
    let accepted = NIOLockedValueBox<[(SMTPEnvelope, [UInt8])]>([])

    func isLocal(domain: String) -> Bool { domain == "starcon.local" }

    func verdict(for address: MailAddress) async throws -> RecipientVerdict {
        switch address.localPart.lowercased() {
        case "kim", "postmaster": .accept
        case "lee": .disabled
        default: .unknown
        }
    }

    func authenticate(username: String, password: String, peer: String) async throws -> SMTPIdentity? {
        if username == "lee" { throw SMTPRefusal(SMTPReply(535, "5.7.8", lines: ["Account suspended"])) }
        guard username == "kim", password == "correct horse" else { return nil }
        return SMTPIdentity(accountID: 1, username: "kim", addresses: [MailAddress(localPart: "kim", domain: "starcon.local")])
    }

    func accept(_ envelope: SMTPEnvelope, message: [UInt8]) async throws -> String {
        accepted.withLockedValue { $0.append((envelope, message)) }
        return "Q\(accepted.withLockedValue { $0.count })"
    }
}

@Suite("SMTP session")
struct SMTPSessionTests {
    /// Runs lines through a session and returns each reply's code (and the session).
    func run(_ lines: [String], policy: TestPolicy = TestPolicy(), tls: Bool = false) async -> ([Int], SMTPSession) {
        let session = SMTPSession(policy: policy, serverName: "starcon.local", peer: "127.0.0.1", tlsAvailable: tls)
        var codes: [Int] = []
        for line in lines {
            let (reply, _) = await session.handle(line: Substring(line))
            codes.append(reply.code)
        }
        return (codes, session)
    }

    @Test func mailFromAnotherServerReachesALocalMemberOnly() async {
        let policy = TestPolicy()
        let (codes, session) = await run(["EHLO mx.other.example", "MAIL FROM:<someone@other.example>",
                                          "RCPT TO:<kim@starcon.local>", "RCPT TO:<nobody@starcon.local>", "RCPT TO:<lee@starcon.local>",
                                          "RCPT TO:<friend@third.example>", "RCPT TO:<Postmaster>", "DATA"], policy: policy)
        #expect(codes == [250, 250, 250, 550, 550, 550, 250, 354])
        let reply = await session.finishData(message: Array("Subject: hi\r\n\r\nhello\r\n".utf8), truncated: false)
        #expect(reply.code == 250 && reply.encoded.contains("queued as Q1"))
        let stored = policy.accepted.withLockedValue { $0 }
        #expect(stored.count == 1)
        #expect(stored[0].0.recipients.map(\.description) == ["kim@starcon.local", "Postmaster@"])
        #expect(stored[0].0.identity == nil && stored[0].0.clientName == "mx.other.example")
    }

    @Test func neverAnOpenRelayAndNoForgedLocalSender() async {
        let (codes, _) = await run(["EHLO x", "MAIL FROM:<kim@starcon.local>", "MAIL FROM:<a@b.example>", "RCPT TO:<c@d.example>"])
        #expect(codes == [250, 530, 250, 550], "a local sender needs AUTH; another domain is no relay")
    }

    @Test func aSignedInMemberSendsAnywhereButOnlyAsThemself() async {
        let plain = Data("\u{0}kim\u{0}correct horse".utf8).base64EncodedString()
        let (codes, session) = await run(["EHLO laptop", "AUTH PLAIN \(plain)", "AUTH PLAIN \(plain)",
                                          "MAIL FROM:<lee@starcon.local>", "MAIL FROM:<kim@starcon.local>", "RCPT TO:<friend@other.example>", "DATA"])
        #expect(codes == [250, 235, 503, 553, 250, 250, 354])
        #expect(session.signedIn?.username == "kim")
    }

    @Test func loginExchangeAndFailures() async {
        let user = Data("kim".utf8).base64EncodedString(), wrong = Data("nope".utf8).base64EncodedString()
        let good = Data("correct horse".utf8).base64EncodedString()
        let (codes, _) = await run(["EHLO x", "AUTH LOGIN", user, wrong, "AUTH LOGIN", "*", "AUTH LOGIN \(user)", good])
        #expect(codes == [250, 334, 334, 535, 334, 501, 334, 235])
        let suspended = Data("\u{0}lee\u{0}whatever".utf8).base64EncodedString()
        let (refused, _) = await run(["EHLO x", "AUTH PLAIN \(suspended)", "AUTH PLAIN !!!", "AUTH CRAM-MD5"])
        #expect(refused == [250, 535, 501, 504])
    }

    @Test func sequenceSizeAndParameterRules() async {
        let (codes, _) = await run(["MAIL FROM:<a@b.example>", "EHLO x", "RCPT TO:<kim@starcon.local>", "DATA",
                                    "MAIL FROM:<a@b.example> SIZE=999999999", "MAIL FROM:<a@b.example> FOO=1",
                                    "MAIL FROM:<민준@b.example>", "MAIL FROM:<a@b.example>", "DATA", "MAIL FROM:<a@b.example>",
                                    "RSET", "MAIL FROM:<a@b.example>", "VRFY kim", "EXPN list", "NOOP", "QUIT"])
        #expect(codes == [503, 250, 503, 503, 552, 555, 553, 250, 554, 503, 250, 250, 252, 502, 250, 221])
    }

    @Test func ehloAdvertisesWhatTheSessionDoes() async {
        let session = SMTPSession(policy: TestPolicy(), serverName: "starcon.local", peer: "p", tlsAvailable: true)
        let (reply, _) = await session.handle(line: "EHLO x")
        for capability in ["PIPELINING", "SIZE 26214400", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES", "STARTTLS", "AUTH PLAIN LOGIN"] {
            #expect(reply.lines.contains(capability))
        }
        let (tls, next) = await session.handle(line: "STARTTLS")
        #expect(tls.code == 220 && next == .startTLS)
        let (again, _) = await session.handle(line: "MAIL FROM:<a@b.example>")
        #expect(again.code == 503, "after STARTTLS the client says EHLO again")
    }

    @Test func anOversizedMessageIsRefusedAndTheSessionGoesOn() async {
        let policy = TestPolicy()
        let (_, session) = await run(["EHLO x", "MAIL FROM:<a@b.example>", "RCPT TO:<kim@starcon.local>", "DATA"], policy: policy)
        #expect(await session.finishData(message: [], truncated: true).code == 552)
        #expect(policy.accepted.withLockedValue { $0.isEmpty })
        let (reply, _) = await session.handle(line: "MAIL FROM:<a@b.example>")
        #expect(reply.code == 250)
    }

    @Test func aClientSpeakingAnotherProtocolIsCutOff() async {
        let session = SMTPSession(policy: TestPolicy(), serverName: "s", peer: "p")
        var last: SMTPSession.Next = .carryOn
        for _ in 0..<SMTPLimits.maxBadCommands { last = await session.handle(line: "GET / HTTP/1.1").1 }
        #expect(last == .close)
    }
}
