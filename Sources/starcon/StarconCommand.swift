import ArgumentParser
import Foundation
import Logging
import StarconCore

@main
struct StarconCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "starcon",
        abstract: "A social network for closed networks: feed, messenger, newsgroups, mail — one server, no internet.",
        discussion: "Every option also reads from an environment variable STARCON_<OPTION> (for example STARCON_DATABASE).",
        subcommands: [Serve.self, Migrate.self, UserCommand.self, InviteCommand.self, GroupCommand.self, AnnounceCommand.self, DemoCommand.self, JobsCommand.self])

    /// Exit codes of the product contract: 0 success, 2 bad usage or configuration, 1 anything else.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            Foundation.exit(0)
        } catch let error as ConfigurationError {
            fail(error.message, code: 2)
        } catch let error as CoreError {
            fail(CommandMessages.describe(error), code: error.kind == .invalid ? 2 : 1)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            if code == .validationFailure {
                fail(fullMessage(for: error), code: 2)
            }
            fail(fullMessage(for: error), code: 1)
        }
    }

    static func fail(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data(("starcon: " + message.trimmingCharacters(in: .whitespacesAndNewlines) + "\n").utf8))
        Foundation.exit(code)
    }
}
