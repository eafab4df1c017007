import ArgumentParser
import Foundation
import NIOCore
import StarconCore
@testable import starcon
import Testing

@Suite("Command line")
struct CommandLineTests {
    @Test func bindFailuresBecomeOneLineConfigurationErrors() {
        let inUse = IOError(errnoCode: EADDRINUSE, reason: "bind(descriptor:ptr:bytes:)")
        #expect(Serve.configurationError(from: inUse, host: "127.0.0.1", port: 8080)?.message
                == "cannot listen on 127.0.0.1:8080: the port is already in use")
        let denied = IOError(errnoCode: EACCES, reason: "bind(descriptor:ptr:bytes:)")
        #expect(Serve.configurationError(from: denied, host: "0.0.0.0", port: 80)?.message.contains("permission denied") == true)
        struct Other: Error {}
        #expect(Serve.configurationError(from: Other(), host: "h", port: 1) == nil)
    }

    @Test func subcommandsParse() throws {
        let add = try StarconCommand.parseAsRoot(["user", "add", "kim", "--role", "admin", "--kind", "official", "--email-only"])
        let command = try #require(add as? UserCommand.Add)
        #expect(command.name == "kim" && command.role == .admin && command.kind == .official && command.emailOnly)
        #expect(throws: (any Error).self) { try StarconCommand.parseAsRoot(["user", "add", "kim", "--role", "king"]) }
        let invite = try #require(try StarconCommand.parseAsRoot(["invite", "create", "--uses", "3"]) as? InviteCommand.Create)
        #expect(invite.uses == 3 && invite.expires == 7)
        #expect(StarconCommand.exitCode(for: ValidationError("x")) == .validationFailure)
    }

    @Test func storeOptionsFallBackToTheDataDirectory() throws {
        let options = try StoreOptions.parse(["--data", "/srv/starcon"])
        #expect(try options.location() == .sqlite(path: "/srv/starcon/starcon.sqlite"))
        let postgres = try StoreOptions.parse(["--database", "postgres://u:p@db:5432/starcon"])
        #expect(try postgres.location() == .postgres(url: "postgres://u:p@db:5432/starcon"))
        #expect(throws: ConfigurationError.self) { try StoreOptions.parse(["--database", "oracle://x"]).location() }
    }
}
