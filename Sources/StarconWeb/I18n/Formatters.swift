import Foundation

/// Dates and numbers in a language's conventions (CLDR, through the system's ICU) and in the viewer's time
/// zone. The formatters themselves are costly to make, so one set per language is made at start-up and
/// shared (`Shared`); a page gets a cheap `Formatters` value that adds the viewer's zone and "now".
public struct Formatters: Sendable {
    public let language: Language
    public let timeZone: TimeZone
    /// Milliseconds since 1970 that relative times ("5 min", "Yesterday") count from.
    public let now: Int64
    private let shared: Shared
    /// The words of relative times; a formatter made without a catalogue shows absolute dates only.
    private let words: Catalogue?

    public init(language: Language, timeZone: TimeZone = .current) {
        self.init(shared: Shared(language: language), timeZone: timeZone, now: Self.currentMilliseconds(), words: nil)
    }

    private init(shared: Shared, timeZone: TimeZone, now: Int64, words: Catalogue?) {
        self.language = shared.language
        self.shared = shared
        self.timeZone = timeZone
        self.now = now
        self.words = words
    }

    /// The same language's formatters for one viewer: their zone, relative words from `catalogue`, and now.
    public func viewer(timeZone: TimeZone, catalogue: Catalogue, now: Int64 = Formatters.currentMilliseconds()) -> Formatters {
        Formatters(shared: shared, timeZone: timeZone, now: now, words: catalogue)
    }

    public static func currentMilliseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// The locale as a BCP 47 tag, for a script's `Intl` formatters to match the server's ("en-GB").
    public var localeTag: String { language.localeIdentifier.replacingOccurrences(of: "_", with: "-") }

    /// How the language writes the hour of a time of day, as `Intl.DateTimeFormat`'s `hour` option: "2-digit"
    /// where CLDR pads it ("09:29", en-GB), "numeric" where it does not ("오전 9:29").
    public var hourStyle: String { shared.timePattern.contains("HH") || shared.timePattern.contains("hh") ? "2-digit" : "numeric" }

    /// `milliseconds` since 1970 as a date and time in the viewer's zone.
    public func dateTime(_ milliseconds: Int64) -> String { shared.format(.dateTime, milliseconds, timeZone) }

    public func date(_ milliseconds: Int64) -> String { shared.format(.date, milliseconds, timeZone) }

    /// The time of day ("14:05", "오후 2:05"): what a script shows for a message that has just arrived.
    public func time(_ milliseconds: Int64) -> String { shared.format(.time, milliseconds, timeZone) }

    /// How long ago, as a feed shows it: "now", "5 min", "3 h" today, "Yesterday 14:05", "4 Dec 09:30"
    /// this year, "4 Dec 2025" before. Rendered by the server, so it is right without JavaScript.
    public func relative(_ milliseconds: Int64) -> String {
        guard let words else { return dateTime(milliseconds) }
        let seconds = (now - milliseconds) / 1000
        if seconds < 0 { return dayAndTime(milliseconds) }
        if seconds < 60 { return words.text("time_now") }
        if seconds < 3600 { return words.plural("time_minutes", count: Int(seconds / 60), formatter: self) }
        let days = dayDistance(milliseconds)
        if days == 0 { return words.plural("time_hours", count: Int(seconds / 3600), formatter: self) }
        return dayAndTime(milliseconds)
    }

    /// A message's time in a conversation: the time of day today, "Yesterday 14:05", else the date and time.
    public func messageTime(_ milliseconds: Int64) -> String {
        if words != nil, dayDistance(milliseconds) == 0 { return time(milliseconds) }
        return dayAndTime(milliseconds)
    }

    /// A conversation's last activity in a list, as chat apps show it: the time of day today, the weekday
    /// within the past week, else the date ("4 Dec", with the year before this one).
    public func listDate(_ milliseconds: Int64) -> String {
        let days = dayDistance(milliseconds)
        if days == 0 || words == nil { return days == 0 ? time(milliseconds) : date(milliseconds) }
        if days > 0 && days < 7 { return shared.format(.weekday, milliseconds, timeZone) }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let sameYear = calendar.component(.year, from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
            == calendar.component(.year, from: Date(timeIntervalSince1970: Double(now) / 1000))
        return shared.format(sameYear ? .dayMonth : .date, milliseconds, timeZone)
    }

    public func number(_ value: Int) -> String { shared.number(value) }

    private func dayAndTime(_ milliseconds: Int64) -> String {
        guard let words else { return dateTime(milliseconds) }
        switch dayDistance(milliseconds) {
        case 1: return words.text("time_yesterday", ["time": time(milliseconds)])
        case 0: return time(milliseconds)
        default:
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            let then = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            let sameYear = calendar.component(.year, from: then) == calendar.component(.year, from: Date(timeIntervalSince1970: Double(now) / 1000))
            return shared.format(sameYear ? .dayMonthTime : .date, milliseconds, timeZone)
        }
    }

    /// Calendar days between `milliseconds` and now in the viewer's zone (0 today, 1 yesterday).
    private func dayDistance(_ milliseconds: Int64) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let then = calendar.startOfDay(for: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
        let today = calendar.startOfDay(for: Date(timeIntervalSince1970: Double(now) / 1000))
        return calendar.dateComponents([.day], from: then, to: today).day ?? 0
    }

    /// One language's formatters, used under a lock (a DateFormatter's zone is set for each call).
    final class Shared: @unchecked Sendable {
        enum Style { case dateTime, date, time, dayMonthTime, dayMonth, weekday }
        let language: Language
        private let formatters: [Style: DateFormatter]
        private let numbers: NumberFormatter
        private let lock = NSLock()

        init(language: Language) {
            self.language = language
            let locale = Locale(identifier: language.localeIdentifier)
            func make(_ template: String) -> DateFormatter {
                let formatter = DateFormatter()
                formatter.locale = locale
                formatter.setLocalizedDateFormatFromTemplate(template)
                return formatter
            }
            formatters = [.dateTime: make("yMMMdjmm"), .date: make("yMMMd"), .time: make("jmm"), .dayMonthTime: make("MMMdjmm"),
                          .dayMonth: make("MMMd"), .weekday: make("EEEE")]
            numbers = NumberFormatter()
            numbers.locale = locale
            numbers.numberStyle = .decimal
        }

        var timePattern: String { lock.withLock { formatters[.time]!.dateFormat ?? "" } }

        func format(_ style: Style, _ milliseconds: Int64, _ timeZone: TimeZone) -> String {
            lock.withLock {
                let formatter = formatters[style]!
                formatter.timeZone = timeZone
                // ICU puts narrow no-break spaces in some times ("2:05 PM"); a plain space matches what the
                // messenger's script prints with `Intl` (which it normalises the same way).
                return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
                    .replacingOccurrences(of: "\u{202F}", with: " ").replacingOccurrences(of: "\u{00A0}", with: " ")
            }
        }

        func number(_ value: Int) -> String {
            lock.withLock { numbers.string(from: NSNumber(value: value)) ?? String(value) }
        }
    }
}
