import Foundation
import Hummingbird
import Logging
import NIOCore
import StarconCore

/// Per-request state for the web UI: who is signed in, in which language, and the seed of the CSRF token.
public struct WebContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    /// The signed-in member, if any (set by `PageMiddleware`).
    public var member: Account?
    public var session: Session?
    /// For the bell in the page header (read on page views only).
    public var unreadNotifications = 0
    /// Unread messages in conversations the member has not muted, for the navigation (page views only).
    public var unreadMessages = 0
    /// Unread mail in INBOX, for the navigation (page views only).
    public var unreadMail = 0
    /// A moderator's warnings the member has not acknowledged: every page shows them.
    public var warnings: [AccountWarning] = []
    /// The session token from the cookie; the CSRF token of a signed-in member is derived from it.
    public var sessionToken: String?
    /// The anonymous visitor's pre-session cookie; the CSRF token of a signed-out visitor is derived from it.
    public var preSession: String?
    public var language: Language = .fallback
    /// Where the viewer's dates are shown: the member's setting, else the browser's (the `sc_tz` cookie
    /// feed.js sets), else the instance's own zone.
    public var timeZone: TimeZone = .current
    /// A notice from the previous request (set by `PageMiddleware` from the flash cookie).
    var flash: Flash?
    /// The live announcements this viewer has not dismissed, in their language (page views only).
    var announcements: [AnnouncementView] = []
    /// This page's path and query, where a dismissed announcement's form comes back to.
    var pagePath = "/"
    /// How this page's photos load (the data saver), decided by the core from the member's choice, the
    /// instance's default and the request's hints (set by `PageMiddleware` on page views).
    public var photos = PhotoPolicy(member: nil, instanceDefault: nil, hints: LinkHints())

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.clientAddress = remoteAddress?.ipAddress ?? "unknown"
    }

    /// The client address as text, for throttling and the sessions page: the peer's, or behind a trusted
    /// proxy the one it forwarded (`ClientAddressMiddleware`).
    public internal(set) var clientAddress: String

    /// What the CSRF token is bound to: the session when signed in, else the pre-session cookie.
    var csrfSeed: String? { sessionToken ?? preSession }
}
