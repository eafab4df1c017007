import Foundation
import Testing
@testable import StarconCore

/// Any display name a member can have becomes a From header that a real parser (Python's `email` package)
/// reads back as that name. Random names on every run; the seed is printed, and STARCON_PROPERTY_SEED
/// replays one.
@Suite struct FromHeaderPropertyTests {
    @Test func everyDisplayNameRoundTripsThroughPythonsEmailParser() throws {
        let seed = ProcessInfo.processInfo.environment["STARCON_PROPERTY_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 1...UInt64.max)
        print("FromHeaderPropertyTests seed \(seed) (STARCON_PROPERTY_SEED=\(seed) replays it)")
        var random = SplitMix64(seed: seed)
        var names = ["Back\\", "\\", "\"", "a\\\"b", "\"quoted\"", "=?utf-8?B?QQ==?=", "x =?y", "Ольга \\ Петрова", "김민준\\", "(c) <x@y>, z;"]
        while names.count < 400 {
            names.append(Self.randomName(&random))
        }
        let cases = names.compactMap { raw -> (name: String, header: String)? in
            guard let name = try? AccountRules.cleanDisplayName(raw) else { return nil }
            return (name, ArticleFormatter.fromHeader(displayName: name, username: "Member_1", domain: "news.example.org"))
        }
        let parsed = try Self.parseWithPython(cases.map(\.header))
        try #require(parsed.count == cases.count)
        for (sample, result) in zip(cases, parsed) {
            let context = Comment(rawValue: "seed \(seed), name \(sample.name.debugDescription), header \(sample.header.debugDescription)")
            #expect(!sample.header.utf8.contains { $0 < 0x20 || $0 >= 0x7F }, context)
            #expect(result.address == "member_1@news.example.org", context)
            #expect(result.name == sample.name, context)
            // The parser of `email.policy.default` finds no defect either. Its name is compared only when the
            // header has at most one encoded word, and with runs of spaces as one: it keeps the space between
            // two encoded words (against RFC 2047 §6.2) and folds the whitespace after a space inside one.
            #expect(result.defects == 0, context)
            if sample.header.components(separatedBy: "=?").count <= 2 {
                #expect(Self.singleSpaced(result.strictName) == Self.singleSpaced(sample.name), context)
            }
        }
    }

    /// A space or tab and any whitespace after it as one space, as that parser reads an encoded word.
    static func singleSpaced(_ text: String) -> String {
        var result = ""
        var inRun = false
        for character in text {
            if inRun && character.isWhitespace { continue }
            inRun = character == " " || character == "\t"
            result.append(inRun ? " " : character)
        }
        return result
    }

    struct Parsed: Decodable {
        let name: String
        let address: String
        let strictName: String
        let defects: Int
    }

    /// Parses each header value as a From header with the legacy parser plus RFC 2047 decoding (what
    /// nntplib's readers use) and with `email.policy.default`.
    static func parseWithPython(_ headers: [String]) throws -> [Parsed] {
        let script = """
            import json, sys, email, email.policy
            from email.utils import parseaddr
            from email.header import decode_header, make_header
            out = []
            for value in json.load(sys.stdin):
                name, address = parseaddr(value)
                strict = email.message_from_string("From: " + value + "\\n\\nx\\n", policy=email.policy.default)["From"]
                out.append({"name": str(make_header(decode_header(name))), "address": address,
                            "strictName": strict.addresses[0].display_name, "defects": len(strict.defects)})
            json.dump(out, sys.stdout)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(try JSONEncoder().encode(headers))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "python3 failed")
        return try JSONDecoder().decode([Parsed].self, from: data)
    }

    /// A name from pieces members really type and pieces that break naive quoting.
    static func randomName(_ random: inout SplitMix64) -> String {
        let pools: [[Unicode.Scalar]] = [
            Array("\\\"()<>[]:;@,.=?_ -'".unicodeScalars),
            (0x20...0x7E).compactMap(Unicode.Scalar.init),
            (0xAC00...0xAC40).compactMap(Unicode.Scalar.init),  // Hangul
            (0x0410...0x044F).compactMap(Unicode.Scalar.init),  // Cyrillic
            (0x4E00...0x4E40).compactMap(Unicode.Scalar.init),  // CJK
            (0x3040...0x309F).compactMap(Unicode.Scalar.init),  // Hiragana
            [0x00E9, 0x00DF, 0x0301, 0x200D, 0x1F600, 0x1F469, 0x05D0, 0x0627, 0x3000, 0x00A0, 0x2028, 0x0009, 0xFEFF]
                .compactMap(Unicode.Scalar.init),
        ]
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int(random.next() % 40 + 1) {
            let pool = pools[Int(random.next() % UInt64(pools.count))]
            scalars.append(pool[Int(random.next() % UInt64(pool.count))])
        }
        return String(scalars)
    }
}

/// A small, fast generator whose whole state is its seed, so a failing run can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
