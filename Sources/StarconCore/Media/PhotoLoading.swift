/// The data saver: when a viewer's photos are fetched. The member's own choice, else the instance's default
/// (`Settings.Name.photoLoading`, set by an admin), else `always`.
public enum PhotoLoading: String, Sendable, CaseIterable {
    case always
    /// Every photo is a placeholder (its average colour and size) until tapped.
    case onTap = "on_tap"
    /// As `always`, but as `onTap` when the browser says the link is slow (`Save-Data: on`, or a script
    /// that reads the Network Information API's slow-2g/2g).
    case slowLinks = "slow_links"
}

/// What the request itself says about the link and the viewer's wishes.
public struct LinkHints: Sendable, Equatable {
    /// The browser sent `Save-Data: on`.
    public var saveData: Bool
    /// The viewer asked to see this page's photos (the no-script link of a placeholder).
    public var revealed: Bool

    public init(saveData: Bool = false, revealed: Bool = false) {
        self.saveData = saveData
        self.revealed = revealed
    }

    /// `Save-Data` is a list of tokens; only `on` asks for less.
    public static func saveData(header: String?) -> Bool {
        header?.split(separator: ";").first.map { String($0).trimmingWhitespace().lowercased() == "on" } ?? false
    }
}

/// How one photo is put on a page: decided here once; templates and scripts only carry it out.
public struct PhotoPresentation: Sendable, Equatable {
    public enum Trigger: String, Sendable {
        /// An ordinary image, fetched with the page.
        case now
        /// A placeholder a script fills when it scrolls near; without a script, a link to the photo.
        case near
        /// A placeholder that loads only when tapped (a link without a script).
        case tap
    }

    public let trigger: Trigger
    /// A script keeps it a placeholder (until tapped) when the Network Information API reports slow-2g or 2g.
    public let unlessSlowLink: Bool
    /// Without a script the photo shows anyway (in a `<noscript>`), since nothing says the link is slow.
    public let noscriptImage: Bool

    public static let now = PhotoPresentation(trigger: .now, unlessSlowLink: false, noscriptImage: false)
    public static let tap = PhotoPresentation(trigger: .tap, unlessSlowLink: false, noscriptImage: false)
}

/// One viewer's photo rule for one page.
public struct PhotoPolicy: Sendable, Equatable {
    /// Posts (or newest messages) on the first screen of a phone: their photos may come with the page.
    /// Below them nothing is fetched without a script (Chromium ignores `loading="lazy"` with scripts off).
    public static let firstScreenItems = 3

    public let mode: PhotoLoading
    public let hints: LinkHints

    public init(member: PhotoLoading?, instanceDefault: PhotoLoading?, hints: LinkHints) {
        self.mode = member ?? instanceDefault ?? .always
        self.hints = hints
    }

    /// The photos of the item at `position` (0 = first post, or newest message) on the page.
    public func presentation(position: Int) -> PhotoPresentation {
        if hints.revealed { return .now }
        let firstScreen = position < Self.firstScreenItems
        switch mode {
        case .onTap:
            return .tap
        case .slowLinks where hints.saveData:
            return .tap
        case .slowLinks:
            return PhotoPresentation(trigger: .near, unlessSlowLink: true, noscriptImage: firstScreen)
        case .always:
            return firstScreen ? .now : PhotoPresentation(trigger: .near, unlessSlowLink: false, noscriptImage: false)
        }
    }
}

extension MediaAttachment {
    /// The photo's average colour as `#rrggbb`: the DC component of its BlurHash (characters 2–5, base 83).
    public var averageColour: String {
        let characters = Array(blurhash.utf8)
        guard characters.count >= 6 else { return "#808080" }
        var value = 0
        for character in characters[2..<6] {
            guard let digit = Self.base83[character] else { return "#808080" }
            value = value * 83 + digit
        }
        let hex = String(value & 0xFFFFFF, radix: 16)
        return "#" + String(repeating: "0", count: 6 - hex.count) + hex
    }

    private static let base83: [UInt8: Int] = {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~".utf8)
        return Dictionary(uniqueKeysWithValues: alphabet.enumerated().map { ($0.element, $0.offset) })
    }()

    /// What a placeholder tells the viewer the photo will cost, in whole KB (at least 1); nil when unknown.
    public var smallKilobytes: Int? {
        small.bytes > 0 ? max(1, (small.bytes + 1023) / 1024) : nil
    }
}
