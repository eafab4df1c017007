import StarconMail
import Testing

@Suite("SMTP command parser")
struct SMTPCommandParserTests {
    static let accepted: [(String, SMTPCommand)] = [
        ("EHLO client.example", .ehlo("client.example")),
        ("ehlo [127.0.0.1]", .ehlo("[127.0.0.1]")),
        ("HELO relay", .helo("relay")),
        ("MAIL FROM:<kim@starcon.local>", .mail(from: MailAddress(localPart: "kim", domain: "starcon.local"), parameters: [])),
        ("mail from: <Kim@Starcon.LOCAL> SIZE=1200 BODY=8BITMIME", .mail(from: MailAddress(localPart: "Kim", domain: "starcon.local"),
                                                                         parameters: [SMTPParameter("SIZE", "1200"), SMTPParameter("BODY", "8BITMIME")])),
        ("MAIL FROM:<>", .mail(from: nil, parameters: [])),
        ("MAIL FROM:kim@starcon.local", .mail(from: MailAddress(localPart: "kim", domain: "starcon.local"), parameters: [])),
        ("MAIL FROM:<@relay.one,@relay.two:kim@starcon.local>", .mail(from: MailAddress(localPart: "kim", domain: "starcon.local"), parameters: [])),
        ("MAIL FROM:<민준@스타콘.한국> SMTPUTF8", .mail(from: MailAddress(localPart: "민준", domain: "스타콘.한국"), parameters: [SMTPParameter("SMTPUTF8")])),
        ("RCPT TO:<\"john doe\"@starcon.local>", .rcpt(to: MailAddress(localPart: "\"john doe\"", domain: "starcon.local"), parameters: [])),
        ("RCPT TO:<\"a>b\"@x.org>", .rcpt(to: MailAddress(localPart: "\"a>b\"", domain: "x.org"), parameters: [])),
        ("RCPT TO:<Postmaster>", .rcpt(to: MailAddress(localPart: "Postmaster", domain: ""), parameters: [])),
        ("RCPT TO:<user@[192.0.2.1]>", .rcpt(to: MailAddress(localPart: "user", domain: "[192.0.2.1]"), parameters: [])),
        ("DATA", .data), ("rset", .rset), ("NOOP anything", .noop), ("QUIT", .quit), ("HELP", .help), ("STARTTLS", .startTLS),
        ("VRFY kim", .vrfy("kim")),
        ("AUTH PLAIN AGtpbQBwYXNz", .auth(mechanism: "PLAIN", initialResponse: "AGtpbQBwYXNz")),
        ("auth login", .auth(mechanism: "LOGIN", initialResponse: nil)),
    ]

    @Test(arguments: accepted)
    func parses(line: String, command: SMTPCommand) {
        #expect(SMTPCommandParser.parse(Substring(line)) == .success(command))
    }

    static let refused: [(String, SMTPCommandParser.Failure)] = [
        ("", .unknownCommand),
        ("BDAT 100", .unknownCommand),
        ("GET / HTTP/1.1", .unknownCommand),
        ("EHLO", .syntax("EHLO needs the client's domain")),
        ("DATA now", .syntax("DATA takes no argument")),
        ("MAIL <kim@x.org>", .syntax("expected FROM:")),
        ("MAIL FROM:<kim@x.org", .syntax("unbalanced <…>")),
        ("MAIL FROM:<kim@x.org> SIZE=", .syntax("bad parameter SIZE=")),
        ("MAIL FROM:<kim@x.org> =1", .syntax("bad parameter =1")),
        ("MAIL FROM:<kim>", .badAddress("the sender is not a mailbox")),
        ("RCPT TO:<>", .badAddress("the recipient is not a mailbox")),
        ("RCPT TO:<a..b@x.org>", .badAddress("the recipient is not a mailbox")),
        ("RCPT TO:<a@-x.org>", .badAddress("the recipient is not a mailbox")),
        ("RCPT TO:<a@x..org>", .badAddress("the recipient is not a mailbox")),
        ("RCPT TO:<\"open@x.org>", .syntax("unbalanced <…>")),
        ("AUTH", .syntax("AUTH mechanism [initial-response]")),
        ("AUTH PL@IN", .syntax("AUTH mechanism [initial-response]")),
        ("NOOP \u{0}", .syntax("control characters in the command")),
    ]

    @Test(arguments: refused)
    func refuses(line: String, failure: SMTPCommandParser.Failure) {
        #expect(SMTPCommandParser.parse(Substring(line)) == .failure(failure))
    }

    @Test func repliesEncodeEveryLineWithItsCode() {
        let reply = SMTPReply(250, nil, lines: ["mail.example greets you", "PIPELINING", "SIZE 10"])
        #expect(reply.encoded == "250-mail.example greets you\r\n250-PIPELINING\r\n250 SIZE 10\r\n")
        #expect(SMTPReply(550, "5.1.1", "No such\r\nuser").encoded == "550 5.1.1 No such  user\r\n")
    }
}
