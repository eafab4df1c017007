import StarconCore

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
    /// RFC 4642: `STARTTLS`.
    case startTLS

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
        case .startTLS: "STARTTLS"
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
