import Foundation

/// RFC 5322 §3.3 dates, `[day-of-week ","] day month year hour ":" minute [":" second] zone`, read leniently
/// (comments, obsolete zone names of §4.3, two-digit years, the asctime order `Mon Dec  7 14:23:59 2026`), and
/// written as §3.3 wants.
public enum MIMEDate {
    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let zones: [String: Int] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0, "est": -300, "edt": -240, "cst": -360, "cdt": -300,
        "mst": -420, "mdt": -360, "pst": -480, "pdt": -420,
    ]

    public static func parse(_ text: String) -> Date? {
        parseMilliseconds(text).map { Date(timeIntervalSince1970: Double($0) / 1000) }
    }

    /// Unix milliseconds, or nil when the text is not a date.
    public static func parseMilliseconds(_ text: String) -> Int64? {
        guard text.utf8.count <= 500 else { return nil }
        // Comments, however many words they hold, go first.
        var plain = ""
        var depth = 0
        for character in text {
            if character == "(" { depth += 1; continue }
            if character == ")" { depth = max(0, depth - 1); continue }
            if depth == 0 { plain.append(character == "," ? " " : character) }
        }
        let words = plain.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }).map(String.init)
        var month: Int?, time: [Int]?, numbers: [String] = [], offset: Int?
        for word in words {
            let lower = word.lowercased()
            if month == nil, lower.count >= 3, let found = months.firstIndex(of: String(lower.prefix(3))), lower.allSatisfy(\.isLetter) {
                month = found + 1
            } else if time == nil, word.contains(":") {
                let pieces = word.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
                guard pieces.count == 2 || pieces.count == 3, pieces.allSatisfy({ $0 != nil }) else { return nil }
                time = pieces.map { $0! }
            } else if word.allSatisfy(\.isASCIIDigit), word.count <= 4 {
                numbers.append(word)
            } else if time != nil, offset == nil, let zone = zoneOffset(word) {
                offset = zone
            }
        }
        guard let month, let time, numbers.count >= 2 else { return nil }
        var (dayText, yearText) = (numbers[0], numbers[1])
        if dayText.count == 4 { swap(&dayText, &yearText) }
        guard let day = Int(dayText), (1...31).contains(day), var year = Int(yearText) else { return nil }
        if yearText.count <= 2 { year += year < 50 ? 2000 : 1900 } else if yearText.count == 3 { year += 1900 }
        let hour = time[0], minute = time[1], second = time.count > 2 ? time[2] : 0
        guard hour < 24, minute < 60, second <= 60 else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + min(second, 59)) - Int64((offset ?? 0) * 60)
        return seconds * 1000
    }

    /// Minutes east of UTC for `+0900`, `-0500`, `GMT`, `EST`, … (military letters and unknown names: 0, as §4.3 says).
    static func zoneOffset(_ word: String) -> Int? {
        if let sign = word.first, sign == "+" || sign == "-" {
            let digits = word.dropFirst()
            guard digits.count == 4, digits.allSatisfy(\.isASCIIDigit), let value = Int(digits) else { return nil }
            let minutes = value / 100 * 60 + value % 100
            return sign == "-" ? -minutes : minutes
        }
        let lower = word.lowercased()
        if let zone = zones[lower] { return zone }
        if lower.count == 1, lower.first!.isLetter { return 0 }
        return nil
    }

    /// `Mon, 7 Dec 2026 14:23:59 +0000` for a Date header; `offsetMinutes` east of UTC for a local zone.
    public static func format(_ date: Date, offsetMinutes: Int = 0) -> String {
        formatMilliseconds(Int64((date.timeIntervalSince1970 * 1000).rounded(.down)), offsetMinutes: offsetMinutes)
    }

    public static func formatMilliseconds(_ milliseconds: Int64, offsetMinutes: Int = 0) -> String {
        let local = milliseconds / 1000 + Int64(offsetMinutes * 60) - (milliseconds % 1000 < 0 ? 1 : 0)
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let secondsOfDay = Int(local - days * 86_400)
        let (year, month, day) = civilFromDays(days)
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][Int(((days % 7) + 7) % 7)]
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let sign = offsetMinutes < 0 ? "-" : "+"
        let zone = sign + two(abs(offsetMinutes) / 60) + two(abs(offsetMinutes) % 60)
        return "\(weekday), \(day) \(months[month - 1].capitalized) \(year) \(two(secondsOfDay / 3600)):\(two(secondsOfDay / 60 % 60)):\(two(secondsOfDay % 60)) \(zone)"
    }

    /// Days since 1970-01-01 (H. Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civilFromDays(_ days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0)), Int(month), Int(day))
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
