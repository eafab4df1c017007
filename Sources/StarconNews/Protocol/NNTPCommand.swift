/// A command a newsreader sends (RFC 3977, RFC 4643 AUTHINFO, and the XOVER/XHDR aliases readers still use).
public enum NNTPCommand: Sendable, Equatable {
    case capabilities
    case modeReader
    case authinfoUser(String)
    case authinfoPass(String)
    case list(ListKeyword)
    case group(String)
    case listGroup(group: String?, range: ArticleRange?)
    case next
    case last
    case article(ArticleSelector)
    case head(ArticleSelector)
    case body(ArticleSelector)
    case stat(ArticleSelector)
    /// OVER and XOVER; nil selects the current article.
    case over(OverSelector?)
    /// HDR and XHDR; `legacy` is XHDR, which answers 221 (RFC 2980 §2.6) where HDR answers 225.
    case hdr(field: String, OverSelector?, legacy: Bool = false)
    case newGroups(since: NNTPDateTime)
    case newNews(groups: Wildmat, since: NNTPDateTime)
    case post
    case date
    case help
    case quit

    public enum ListKeyword: Sendable, Equatable {
        case active(Wildmat?)
        case newsgroups(Wildmat?)
        case overviewFormat
        case activeTimes(Wildmat?)
        case headers
    }

    public enum OverSelector: Sendable, Equatable {
        case range(ArticleRange)
        case messageID(String)
    }

    /// The command's name for logs; never its arguments (AUTHINFO PASS carries a password).
    public var name: String {
        switch self {
        case .capabilities: "CAPABILITIES"
        case .modeReader: "MODE READER"
        case .authinfoUser: "AUTHINFO USER"
        case .authinfoPass: "AUTHINFO PASS"
        case .list: "LIST"
        case .group: "GROUP"
        case .listGroup: "LISTGROUP"
        case .next: "NEXT"
        case .last: "LAST"
        case .article: "ARTICLE"
        case .head: "HEAD"
        case .body: "BODY"
        case .stat: "STAT"
        case .over: "OVER"
        case .hdr: "HDR"
        case .newGroups: "NEWGROUPS"
        case .newNews: "NEWNEWS"
        case .post: "POST"
        case .date: "DATE"
        case .help: "HELP"
        case .quit: "QUIT"
        }
    }
}

/// A date and time argument of NEWGROUPS and NEWNEWS (RFC 3977 §7.3): `[yy]yymmdd hhmmss [GMT]`.
/// Times are taken as UTC whether or not GMT is given (the server's local time is UTC-agnostic here).
public struct NNTPDateTime: Sendable, Equatable {
    public let millisecondsSince1970: Int64

    public init(millisecondsSince1970: Int64) {
        self.millisecondsSince1970 = millisecondsSince1970
    }

    ///     date = date2y / date4y ;  time = hour minute second
    init?(date: Substring, time: Substring, now: Int64) {
        guard (date.count == 6 || date.count == 8), time.count == 6,
              date.allSatisfy({ $0.isASCII && $0.isNumber }), time.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        var year = Int(date.prefix(date.count - 4))!
        let month = Int(date.dropFirst(date.count - 4).prefix(2))!
        let day = Int(date.suffix(2))!
        let hour = Int(time.prefix(2))!, minute = Int(time.dropFirst(2).prefix(2))!, second = Int(time.suffix(2))!
        if date.count == 6 {
            // RFC 3977 §7.3.2: the century closest to now.
            let currentYear = Int(CivilTime(milliseconds: now).year)
            let candidates = [currentYear / 100 * 100 - 100 + year, currentYear / 100 * 100 + year, currentYear / 100 * 100 + 100 + year]
            year = candidates.min { abs($0 - currentYear) < abs($1 - currentYear) }!
        }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        let days = CivilTime.daysFromCivil(year: year, month: month, day: day)
        millisecondsSince1970 = (Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + min(second, 59))) * 1000
    }
}

/// Calendar arithmetic for UTC without Foundation (Howard Hinnant's civil-from-days algorithms).
struct CivilTime {
    let year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64

    init(milliseconds: Int64) {
        let seconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        var days = seconds / 86_400
        var rest = seconds % 86_400
        if rest < 0 { rest += 86_400; days -= 1 }
        hour = rest / 3600
        minute = rest % 3600 / 60
        second = rest % 60
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    }

    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// `yyyymmddhhmmss`, as DATE answers.
    var compact: String {
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(year)\(two(month))\(two(day))\(two(hour))\(two(minute))\(two(second))"
    }

}
