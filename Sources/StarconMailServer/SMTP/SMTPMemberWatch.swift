import Logging
import NIOCore
import StarconCore
import StarconMail

/// Ends a signed-in SMTP connection when its member may no longer use mail, as `IMAPServer` ends an IMAP
/// session: the member's `accountEnded` event (a suspension, a password change, on any node) closes it with
/// `421 4.7.0`; after `credentialsRevoked` (an app password revoked, TOTP turned on) it closes when
/// `SignInService.mailStillAllowed` — the rule IMAP asks too — refuses the credential this session signed in with.
/// The reply is one buffer written on the channel's event loop, so it lands between two replies, never
/// inside one, and the close ends the session's loop. The core still refuses the member's every submission,
/// so a command racing the event is refused too.
struct SMTPMemberWatch {
    static let goodbye = SMTPReply(421, "4.7.0", "Account suspended or signed out, closing connection")

    static func start(core: Core, identity: SMTPIdentity, channel: any Channel, logger: Logger) -> EventSink {
        let memberID = identity.accountID, appPasswordID = identity.appPasswordID
        let close: @Sendable () -> Void = {
            logger.info("smtp session ended", metadata: ["member": .stringConvertible(memberID)])
            channel.writeAndFlush(SMTPServer.encode(goodbye)).whenComplete { _ in channel.close(promise: nil) }
        }
        return core.events.sink(accountID: memberID, deliver: { event in
            switch event.payload {
            case .accountEnded(let id) where id == memberID:
                close()
            case .credentialsRevoked(let id) where id == memberID:
                Task { if await !core.signIn.mailStillAllowed(accountID: memberID, appPasswordID: appPasswordID) { close() } }
            default: break
            }
            return true
        }, overflowed: {})
    }
}
