import Foundation
import Synchronization
import Testing

/// Mutation fuzzing inside the test run, without a second (sanitizer) build: each target starts from its
/// corpus in `Tests/Fuzz/corpus/<target>/` (every file is one input, run as it is first), then runs mutated
/// copies (bit flips, byte changes, insertions, deletions, truncations, duplicated ranges, splices of two
/// entries, the target's interesting tokens) for `STARCON_FUZZ_SECONDS` (default 5) seconds, or exactly
/// `STARCON_FUZZ_ITERATIONS` inputs. The run's seed is printed; `STARCON_FUZZ_SEED=<seed>` repeats it input
/// for input. The body throws `Violation` when an invariant breaks: the test fails with the input (base64),
/// to be fixed and then added to the corpus. A single input running for a minute is a hang: the watchdog
/// prints it and stops the process.
struct Fuzzer {
    struct Violation: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    let target: String
    let corpus: [[UInt8]]
    let tokens: [[UInt8]]
    var maxLength = 4_096

    /// `tokens` (text) and `byteTokens` (binary) are what mutations insert: keywords, markers, separators.
    init(_ target: String, tokens: [String] = [], byteTokens: [[UInt8]] = [], maxLength: Int = 4_096) throws {
        self.target = target
        self.tokens = tokens.map { Array($0.utf8) } + byteTokens
        self.maxLength = maxLength
        let folder = Self.corpusDirectory.appendingPathComponent(target)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }.sorted()
        corpus = try names.map { [UInt8](try Data(contentsOf: folder.appendingPathComponent($0))) }
        guard !corpus.isEmpty else { throw Violation("no corpus in \(folder.path)") }
    }

    static let corpusDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("corpus")

    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// The seed of this run: `STARCON_FUZZ_SEED`, else a random one. Each target mixes in its name.
    static let seed: UInt64 = environment["STARCON_FUZZ_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 1...UInt64.max)

    /// Runs the corpus, then mutations, until the time or count is spent; fails the test at the first violation.
    func run(_ body: ([UInt8]) throws -> Void) {
        let seed = Self.seed ^ target.utf8.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
        let seconds = Self.environment["STARCON_FUZZ_SECONDS"].flatMap(Double.init) ?? 5
        let iterations = Self.environment["STARCON_FUZZ_ITERATIONS"].flatMap(Int.init)
        print("fuzz \(target): STARCON_FUZZ_SEED=\(Self.seed) (\(iterations.map { "\($0) inputs" } ?? "\(seconds) s"), \(corpus.count) corpus entries)")
        var random = SplitMix64(seed: seed)
        let watchdog = Watchdog(target: target, seed: Self.seed)
        defer { watchdog.stop() }
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        var count = 0
        func attempt(_ input: [UInt8]) -> Bool {
            watchdog.started(input, iteration: count)
            do {
                try body(input)
                return true
            } catch {
                Issue.record("""
                    fuzz \(target): \(error) at input \(count), STARCON_FUZZ_SEED=\(Self.seed)
                    input (base64): \(Data(input).base64EncodedString())
                    """)
                return false
            }
        }
        for entry in corpus {
            guard attempt(entry) else { return }
            count += 1
        }
        while iterations.map({ count < $0 + corpus.count }) ?? (ContinuousClock.now < deadline) {
            guard attempt(mutate(&random)) else { return }
            count += 1
        }
        print("fuzz \(target): \(count) inputs, no violation")
    }

    /// A corpus entry changed one to four times.
    func mutate(_ random: inout SplitMix64) -> [UInt8] {
        var bytes = corpus[Int(random.next() % UInt64(corpus.count))]
        for _ in 0...random.below(4) {
            let position = random.below(bytes.count + 1)
            switch random.below(tokens.isEmpty ? 9 : 11) {
            case 0 where !bytes.isEmpty: // flip a bit
                bytes[min(position, bytes.count - 1)] ^= 1 << UInt8(random.below(8))
            case 1 where !bytes.isEmpty: // an interesting byte
                bytes[min(position, bytes.count - 1)] = Self.interestingBytes[random.below(Self.interestingBytes.count)]
            case 2: // insert a few random bytes
                bytes.insert(contentsOf: (0..<1 + random.below(8)).map { _ in UInt8(truncatingIfNeeded: random.next()) }, at: position)
            case 3: // delete a range
                bytes.removeSubrange(position..<min(bytes.count, position + 1 + random.below(16)))
            case 4: // truncate
                bytes.removeSubrange(position...)
            case 5 where !bytes.isEmpty: // duplicate a range
                let end = min(bytes.count, position + 1 + random.below(64))
                bytes.insert(contentsOf: bytes[min(position, bytes.count - 1)..<end], at: random.below(bytes.count + 1))
            case 6: // splice: this entry's start, another's end
                let other = corpus[random.below(corpus.count)]
                bytes = Array(bytes.prefix(position)) + other.suffix(from: random.below(other.count + 1))
            case 7 where bytes.count >= 2: // a byte's value nudged, as lengths and counts are
                let index = min(position, bytes.count - 1)
                bytes[index] = bytes[index] &+ UInt8(truncatingIfNeeded: Int(random.below(33)) - 16)
            case 8: // a line ending, NUL or space where it should not be
                bytes.insert(contentsOf: [[0x0D], [0x0A], [0x00], [0x0D, 0x0A], [0x20], [0x09]][random.below(6)], at: position)
            case 9: // a known token
                bytes.insert(contentsOf: tokens[random.below(tokens.count)], at: position)
            case 10: // a range replaced by a known token
                bytes.replaceSubrange(position..<min(bytes.count, position + random.below(12)), with: tokens[random.below(tokens.count)])
            default:
                break
            }
        }
        return Array(bytes.prefix(maxLength))
    }

    static let interestingBytes: [UInt8] = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0xFE, 0x0D, 0x0A, 0x20, 0x3A, 0x3D, 0x22, 0x3C, 0x3E, 0x2D, 0xC0, 0xE0]
}

/// SplitMix64: small, fast, and the same sequence from the same seed on every platform.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in 0..<bound (0 when bound is 0).
    mutating func below(_ bound: Int) -> Int { bound <= 0 ? 0 : Int(next() % UInt64(bound)) }
}

/// Stops the process, naming the input, when one input has run for a minute (a hang, not a slow machine).
final class Watchdog: Sendable {
    private struct State {
        var iteration = -1
        var input: [UInt8] = []
        var stopped = false
    }
    private let state = Mutex(State())

    init(target: String, seed: UInt64) {
        let thread = Thread { [self] in
            var seen = -2
            var still = 0
            while true {
                Thread.sleep(forTimeInterval: 1)
                let (iteration, input, stopped) = self.state.withLock { ($0.iteration, $0.input, $0.stopped) }
                if stopped { return }
                if iteration == seen { still += 1 } else { (seen, still) = (iteration, 0) }
                if still >= 60 {
                    print("fuzz \(target): input \(iteration) has not returned in a minute, STARCON_FUZZ_SEED=\(seed)\n"
                          + "input (base64): \(Data(input).base64EncodedString())")
                    abort()
                }
            }
        }
        thread.start()
    }

    func started(_ input: [UInt8], iteration: Int) {
        state.withLock {
            $0.iteration = iteration
            $0.input = input
        }
    }

    func stop() { state.withLock { $0.stopped = true } }
}
