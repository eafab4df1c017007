import Foundation

/// Dates and numbers in a language's conventions. Formatters are costly to make, so one set per language
/// is made at start-up and shared; they are used read-only.
public final class Formatters: @unchecked Sendable {
    private let dateTime: DateFormatter
    private let dateOnly: DateFormatter
    private let numbers: NumberFormatter
    private let lock = NSLock()

    public init(language: Language) {
        let locale = Locale(identifier: language.localeIdentifier)
        dateTime = DateFormatter()
        dateTime.locale = locale
        dateTime.dateStyle = .medium
        dateTime.timeStyle = .short
        dateOnly = DateFormatter()
        dateOnly.locale = locale
        dateOnly.dateStyle = .medium
        dateOnly.timeStyle = .none
        numbers = NumberFormatter()
        numbers.locale = locale
        numbers.numberStyle = .decimal
    }

    /// `milliseconds` since 1970 as a local date and time.
    public func dateTime(_ milliseconds: Int64, timeZone: TimeZone = .current) -> String {
        lock.withLock {
            dateTime.timeZone = timeZone
            return dateTime.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
        }
    }

    public func date(_ milliseconds: Int64) -> String {
        lock.withLock { dateOnly.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000)) }
    }

    public func number(_ value: Int) -> String {
        lock.withLock { numbers.string(from: NSNumber(value: value)) ?? String(value) }
    }
}
