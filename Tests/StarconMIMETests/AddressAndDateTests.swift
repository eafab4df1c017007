import Foundation
import StarconMIME
import Testing

@Suite("Addresses and dates")
struct AddressAndDateTests {
    @Test(arguments: [
        ("kim@example.org", ["kim@example.org"], [nil]),
        ("Kim <kim@example.org>", ["kim@example.org"], ["Kim"]),
        ("\"Doe, John\" <john@x.y>, jane@x.y", ["john@x.y", "jane@x.y"], ["Doe, John", nil]),
        ("=?utf-8?B?6rmA?= <kim@x.y>", ["kim@x.y"], ["김"]),
        ("\"=?utf-8?B?6rmA?=\" <kim@x.y>", ["kim@x.y"], ["김"]),
        ("bob@d.e (Bob Smith)", ["bob@d.e"], ["Bob Smith"]),
        ("(c) Bob (c2) <bob@d.e> (c3)", ["bob@d.e"], ["Bob"]),
        ("\"a b\"@example.org", ["\"a b\"@example.org"], [nil]),
        ("<@route,@r2:kim@x.y>", ["kim@x.y"], [nil]),
        ("김철수 <kim@한국.kr>", ["kim@한국.kr"], ["김철수"]),
        ("John \"The Man\" Q. Public <jqp@x.y>", ["jqp@x.y"], ["John The Man Q. Public"]),
        ("undisclosed-recipients:;", [], []),
        ("Team: a@b.c, \"B, B\" <b@b.c>;, c@d.e", ["a@b.c", "b@b.c", "c@d.e"], [nil, "B, B", nil]),
        ("postmaster", ["postmaster"], [nil]),
        ("user@[192.0.2.1]", ["user@[192.0.2.1]"], [nil]),
        (",,, <>, ", [], []),
    ] as [(String, [String], [String?])])
    func addressLists(value: String, addresses: [String], names: [String?]) {
        let mailboxes = AddressList.mailboxes(value)
        #expect(mailboxes.map(\.address) == addresses)
        #expect(mailboxes.map(\.displayName) == names)
    }

    @Test func groupsAndRawNames() {
        let entries = AddressList.parse("=?utf-8?B?7YyA?=: a@b.c;, Kim <k@x.y>")
        guard entries.count == 2, case .group(let name, let rawName, let members) = entries[0] else {
            Issue.record("expected a group: \(entries)")
            return
        }
        #expect(name == "팀")
        #expect(rawName == "=?utf-8?B?7YyA?=")
        #expect(members.map(\.address) == ["a@b.c"])
        #expect(entries[1] == .mailbox(AddressList.mailboxes("Kim <k@x.y>")[0]))
        #expect(AddressList.mailboxes("=?utf-8?B?6rmA?= <kim@x.y>")[0].rawDisplayName == "=?utf-8?B?6rmA?=")
    }

    @Test func formatting() {
        let addresses = [
            MIMEAddress(displayName: "Kim", localPart: "kim", domain: "x.y"),
            MIMEAddress(displayName: "Doe, John", localPart: "john", domain: "x.y"),
            MIMEAddress(displayName: "김철수", localPart: "kim", domain: "x.y"),
            MIMEAddress(displayName: "say \"hi\"", localPart: "a b", domain: "x.y"),
            MIMEAddress(localPart: "bare", domain: "x.y"),
        ]
        let header = AddressList.format(addresses)
        #expect(header == "Kim <kim@x.y>, \"Doe, John\" <john@x.y>, =?utf-8?B?6rmA7LKg7IiY?= <kim@x.y>, \"say \\\"hi\\\"\" <\"a b\"@x.y>, bare@x.y")
        let back = AddressList.mailboxes(header)
        #expect(back.map(\.displayName) == addresses.map(\.displayName))
        #expect(back.map(\.address) == addresses.map(\.address))
    }

    @Test(arguments: [
        ("Mon, 7 Dec 2026 14:23:59 +0900", "2026-12-07T05:23:59Z"),
        ("7 Dec 2026 14:23 GMT", "2026-12-07T14:23:00Z"),
        ("Mon, 07 Dec 26 14:23:59 EST", "2026-12-07T19:23:59Z"),
        ("Mon, 7 Dec 2026 14:23:59 -0000 (Pacific Standard Time)", "2026-12-07T14:23:59Z"),
        ("Thu, 1 Jan 1970 00:00:00 +0000", "1970-01-01T00:00:00Z"),
        ("Mon Dec  7 14:23:59 2026", "2026-12-07T14:23:59Z"),
        ("Sat, 29 Feb 2020 23:59:60 +0000", "2020-02-29T23:59:59Z"),
        ("Tue, 1 Jan 99 12:00:00 Z", "1999-01-01T12:00:00Z"),
    ])
    func dates(text: String, iso: String) {
        let date = MIMEDate.parse(text)
        #expect(date.map { ISO8601DateFormatter().string(from: $0) } == iso)
    }

    @Test(arguments: ["", "yesterday", "32 Dec 2026 10:00:00", "7 Foo 2026 10:00", "7 Dec 2026 25:00:00", "7 Dec 2026 10:aa:00"])
    func notDates(text: String) {
        #expect(MIMEDate.parse(text) == nil)
    }

    @Test func dateFormatting() {
        let date = Date(timeIntervalSince1970: 1_796_653_439)
        #expect(MIMEDate.format(date) == "Mon, 7 Dec 2026 14:23:59 +0000")
        #expect(MIMEDate.format(date, offsetMinutes: 540) == "Mon, 7 Dec 2026 23:23:59 +0900")
        #expect(MIMEDate.format(date, offsetMinutes: -330) == "Mon, 7 Dec 2026 08:53:59 -0530")
        #expect(MIMEDate.parse(MIMEDate.format(date, offsetMinutes: -330)) == date)
    }
}
