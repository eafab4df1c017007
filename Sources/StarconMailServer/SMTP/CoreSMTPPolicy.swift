import Logging
import StarconCore
import StarconMail

/// The SMTP session's questions answered by the core: sign-in is `SignInService.client` (the same
/// throttled rule and app passwords as NNTP and IMAP), recipients and messages go through `MailSubmission`. This type only
/// turns the core's answers into reply codes.
struct CoreSMTPPolicy: SMTPPolicy {
    let core: Core
    let logger: Logger
    /// Whether this connection is encrypted now (for the Received header's `with`); set on STARTTLS.
    let secure: @Sendable () -> Bool

    var domain: String { core.mail.domain }

    func isLocal(domain: String) -> Bool { domain.lowercased() == self.domain }

    func verdict(for address: MailAddress) async throws -> RecipientVerdict {
        switch try await core.submission.verdict(for: text(address)) {
        case .member: return .accept
        case .disabled: return .disabled
        case .unknown, .invalid, .remote: return .unknown
        }
    }

    func authenticate(username: String, password: String, peer: String) async throws -> SMTPIdentity? {
        do {
            let signIn = try await core.signIn.client(username: username, password: password, address: peer, surface: .smtp)
            let account = signIn.account
            try AccountService.ensureMayUseMail(account, now: core.clock.nowMilliseconds())
            logger.info("smtp auth", metadata: ["user": .string(account.username), "result": "ok"])
            var addresses: Set<MailAddress> = [MailAddress(localPart: account.username, domain: domain)]
            addresses.insert(MailAddress(localPart: account.username.lowercased(), domain: domain))
            return SMTPIdentity(accountID: account.id, username: account.username, addresses: addresses, appPasswordID: signIn.appPasswordID)
        } catch let error as CoreError {
            logger.info("smtp auth", metadata: ["user": .string(String(username.prefix(64))), "result": .string(error.key)])
            switch error.kind {
            case .throttled: throw SMTPRefusal(SMTPReply(454, "4.7.0", "Too many failed attempts, try again later"))
            // RFC 4954 §6 / Google: 534 5.7.9 asks for an application-specific password.
            case .forbidden where error.key == "app_password_required":
                throw SMTPRefusal(SMTPReply(534, "5.7.9", SignInService.protocolRefusal(error)!))
            case .forbidden: throw SMTPRefusal(SMTPReply(535, "5.7.8", SignInService.protocolRefusal(error) ?? "Account not active"))
            default: return nil
            }
        }
    }

    func accept(_ envelope: SMTPEnvelope, message: [UInt8]) async throws -> String {
        let recipients = envelope.recipients.map(text)
        let tls = secure()
        do {
            let receipt: SubmissionReceipt
            if let identity = envelope.identity {
                guard let account = try await core.accounts.find(id: identity.accountID) else {
                    throw SMTPRefusal(SMTPReply(535, "5.7.8", "Account not active"))
                }
                let origin = MailSubmission.Origin(protocolName: tls ? "ESMTPSA" : "ESMTPA", clientName: envelope.clientName, peer: envelope.peer)
                receipt = try await core.submission.submit(message, from: account, to: recipients, via: origin)
            } else {
                let origin = MailSubmission.Origin(protocolName: tls ? "ESMTPS" : "ESMTP", clientName: envelope.clientName, peer: envelope.peer)
                receipt = try await core.submission.receive(message, envelopeSender: envelope.sender?.description, to: recipients, via: origin)
            }
            logger.info("smtp accepted", metadata: [
                "message": .string(receipt.messageID), "from": .string(envelope.sender?.description ?? "<>"),
                "local": .stringConvertible(receipt.delivered.count), "queued": .stringConvertible(receipt.queued.count),
                "bytes": .stringConvertible(message.count), "member": .string(envelope.identity?.username ?? "-"),
            ])
            return receipt.messageID
        } catch let error as MailSubmissionError {
            logger.info("smtp refused", metadata: ["reason": .string(error.key)])
            throw SMTPRefusal(Self.reply(for: error))
        } catch let error as CoreError {
            logger.info("smtp refused", metadata: ["reason": .string(error.key)])
            switch error.kind {
            case .throttled:
                throw SMTPRefusal(SMTPReply(450, "4.7.1", "Sending limit reached, try again in \(error.retryAfterSeconds ?? 60) seconds"))
            case .forbidden, .unauthenticated:
                throw SMTPRefusal(SMTPReply(550, "5.7.1", error.key == "account_suspended" ? "Account suspended" : "Account may not send mail"))
            default:
                throw SMTPRefusal(SMTPReply(554, "5.6.0", "Message refused"))
            }
        }
    }

    /// `<Postmaster>` without a domain is ours (RFC 5321 §4.1.1.3).
    private func text(_ address: MailAddress) -> String {
        address.isBarePostmaster ? "postmaster@\(domain)" : address.description
    }

    static func reply(for error: MailSubmissionError) -> SMTPReply {
        switch error {
        case .unknownRecipient(let address): SMTPReply(550, "5.1.1", "No such user here: \(address)")
        case .disabledRecipient(let address): SMTPReply(550, "5.2.1", "Mailbox disabled: \(address)")
        case .badRecipient: SMTPReply(553, "5.1.3", "Bad recipient address syntax")
        case .noRecipients: SMTPReply(554, "5.5.1", "No valid recipients")
        case .tooManyRecipients: SMTPReply(452, "4.5.3", "Too many recipients")
        case .tooLarge: SMTPReply(552, "5.3.4", "Message size exceeds fixed maximum message size")
        case .emptyMessage: SMTPReply(554, "5.6.0", "Empty message")
        case .senderNotOwned: SMTPReply(553, "5.7.1", "From header is not your address")
        case .relayDenied: SMTPReply(550, "5.7.1", "Relaying denied")
        }
    }
}
