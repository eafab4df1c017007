import Hummingbird

/// The cookies Starcon sets. All HttpOnly and SameSite=Lax; Secure when the public URL is https.
enum CookieName {
    static let session = "sc_session"
    static let preSession = "sc_pre"
    static let language = "sc_lang"
    /// The browser's time zone, set by script for a member who has not chosen one.
    static let timeZone = "sc_tz"
    static let flash = "sc_flash"
    /// The announcements a signed-out visitor dismissed: plain ids, read by `AnnouncementService.visitorDismissals`.
    static let dismissedAnnouncements = "sc_dismissed"
}

struct CookieFactory: Sendable {
    let secure: Bool

    func make(_ name: String, _ value: String, maxAge: Int?) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    func clear(_ name: String) -> Cookie {
        Cookie(name: name, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }
}
