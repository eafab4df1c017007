/// Turns one command line (without CRLF) into a typed command, or the reason it cannot.
///
/// RFC 3977 §3.1: keywords are case-insensitive; arguments are separated by one or more spaces or tabs.
public enum NNTPCommandParser {
    public enum Failure: Error, Equatable, Sendable {
        /// 500: not a command we know.
        case unknownCommand
        /// 501: a known command with bad arguments.
        case syntax(String)
    }

    public static func parse(_ line: Substring, now: Int64) -> Result<NNTPCommand, Failure> {
        // RFC 3977 §3.1: a command line holds no NUL, CR or LF. A lone CR or a NUL would otherwise reach a
        // group name, a search or a password. (Checked as bytes: "\r\n" is one Character.)
        if line.utf8.contains(where: { $0 == 0x00 || $0 == 0x0D || $0 == 0x0A }) {
            return .failure(.syntax("a command line may not hold NUL, CR or LF"))
        }
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let keyword = words.first?.uppercased() else { return .failure(.unknownCommand) }
        let args = Array(words.dropFirst())
        switch keyword {
        case "CAPABILITIES": return noArguments(args, .capabilities)
        case "STARTTLS": return noArguments(args, .startTLS)
        case "MODE":
            guard args.count == 1 else { return .failure(.syntax("MODE needs one argument")) }
            return args[0].uppercased() == "READER" ? .success(.modeReader) : .failure(.syntax("unknown MODE"))
        case "AUTHINFO": return authinfo(line, args)
        case "LIST": return list(args)
        case "GROUP":
            guard args.count == 1 else { return .failure(.syntax("GROUP needs a newsgroup name")) }
            return .success(.group(String(args[0])))
        case "LISTGROUP":
            guard args.count <= 2 else { return .failure(.syntax("LISTGROUP [group [range]]")) }
            var range: ArticleRange?
            if args.count == 2 {
                guard let parsed = ArticleRange(args[1]) else { return .failure(.syntax("bad range")) }
                range = parsed
            }
            return .success(.listGroup(group: args.first.map(String.init), range: range))
        case "NEXT": return noArguments(args, .next)
        case "LAST": return noArguments(args, .last)
        case "ARTICLE": return selector(args).map(NNTPCommand.article)
        case "HEAD": return selector(args).map(NNTPCommand.head)
        case "BODY": return selector(args).map(NNTPCommand.body)
        case "STAT": return selector(args).map(NNTPCommand.stat)
        case "OVER", "XOVER":
            guard args.count <= 1 else { return .failure(.syntax("OVER [range|message-id]")) }
            return overSelector(args.first).map(NNTPCommand.over)
        case "HDR", "XHDR":
            guard args.count == 1 || args.count == 2 else { return .failure(.syntax("HDR field [range|message-id]")) }
            return overSelector(args.count == 2 ? args[1] : nil).map { NNTPCommand.hdr(field: String(args[0]), $0, legacy: keyword == "XHDR") }
        case "NEWGROUPS":
            guard args.count == 2 || (args.count == 3 && args[2].uppercased() == "GMT"),
                  let since = NNTPDateTime(date: args[0], time: args[1], now: now) else {
                return .failure(.syntax("NEWGROUPS [yy]yymmdd hhmmss [GMT]"))
            }
            return .success(.newGroups(since: since))
        case "NEWNEWS":
            guard args.count == 3 || (args.count == 4 && args[3].uppercased() == "GMT"),
                  let groups = Wildmat(String(args[0])), let since = NNTPDateTime(date: args[1], time: args[2], now: now) else {
                return .failure(.syntax("NEWNEWS wildmat [yy]yymmdd hhmmss [GMT]"))
            }
            return .success(.newNews(groups: groups, since: since))
        case "POST": return noArguments(args, .post)
        case "DATE": return noArguments(args, .date)
        case "HELP": return noArguments(args, .help)
        case "QUIT": return noArguments(args, .quit)
        default: return .failure(.unknownCommand)
        }
    }

    private static func noArguments(_ args: [Substring], _ command: NNTPCommand) -> Result<NNTPCommand, Failure> {
        args.isEmpty ? .success(command) : .failure(.syntax("\(command.name) takes no arguments"))
    }

    /// AUTHINFO USER/PASS (RFC 4643 §2.3). The argument is the rest of the line, so passwords may hold spaces.
    private static func authinfo(_ line: Substring, _ args: [Substring]) -> Result<NNTPCommand, Failure> {
        guard args.count >= 2 else { return .failure(.syntax("AUTHINFO USER name | AUTHINFO PASS password")) }
        let sub = args[0].uppercased()
        guard let subStart = line.range(of: args[0], options: [])?.upperBound else { return .failure(.syntax("AUTHINFO")) }
        let value = String(line[subStart...].drop(while: { $0 == " " || $0 == "\t" }))
        switch sub {
        case "USER": return .success(.authinfoUser(value))
        case "PASS": return .success(.authinfoPass(value))
        default: return .failure(.syntax("only AUTHINFO USER and PASS are supported"))
        }
    }

    private static func list(_ args: [Substring]) -> Result<NNTPCommand, Failure> {
        guard let keyword = args.first?.uppercased() else { return .success(.list(.active(nil))) }
        guard args.count <= 2 else { return .failure(.syntax("LIST keyword [wildmat]")) }
        var wildmat: Wildmat?
        if args.count == 2 {
            guard let parsed = Wildmat(String(args[1])) else { return .failure(.syntax("bad wildmat")) }
            wildmat = parsed
        }
        switch keyword {
        case "ACTIVE": return .success(.list(.active(wildmat)))
        case "NEWSGROUPS": return .success(.list(.newsgroups(wildmat)))
        case "ACTIVE.TIMES": return .success(.list(.activeTimes(wildmat)))
        case "OVERVIEW.FMT": return wildmat == nil ? .success(.list(.overviewFormat)) : .failure(.syntax("LIST OVERVIEW.FMT takes no argument"))
        case "HEADERS": return .success(.list(.headers))
        default: return .failure(.syntax("unknown LIST keyword"))
        }
    }

    private static func selector(_ args: [Substring]) -> Result<ArticleSelector, Failure> {
        guard let arg = args.first else { return .success(.current) }
        guard args.count == 1 else { return .failure(.syntax("one article number or message-id")) }
        if arg.first == "<" {
            guard let id = ArticleSelector.messageID(arg) else { return .failure(.syntax("bad message-id")) }
            return .success(.messageID(id))
        }
        guard let number = ArticleRange.number(arg) else { return .failure(.syntax("bad article number")) }
        return .success(.number(number))
    }

    private static func overSelector(_ arg: Substring?) -> Result<NNTPCommand.OverSelector?, Failure> {
        guard let arg else { return .success(nil) }
        if arg.first == "<" {
            guard let id = ArticleSelector.messageID(arg) else { return .failure(.syntax("bad message-id")) }
            return .success(.messageID(id))
        }
        guard let range = ArticleRange(arg) else { return .failure(.syntax("bad range")) }
        return .success(.range(range))
    }
}
