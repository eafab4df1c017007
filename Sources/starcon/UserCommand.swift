import ArgumentParser
import Foundation
import StarconCore

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage members.",
        subcommands: [Add.self, List.self, Suspend.self, Unsuspend.self, Expiry.self, Lock.self, ResetPassword.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a member. The password is read from standard input (never from a flag).")

        @OptionGroup var store: StoreOptions
        @Argument(help: "Username: letters, digits and underscore.") var name: String
        @Option(help: "member, moderator or admin.") var role: Role = .member
        @Option(help: "person, official, organisation, company or visitor.") var kind: AccountKind = .person
        @Flag(name: .customLong("email-only"), help: "An account that only uses mail (no feed or messenger).") var emailOnly = false
        @Option(name: .customLong("display-name"), help: "Display name (default: the username).") var displayName: String?
        @Option(help: "The account's pass ends after this many days (1-3650); then it is suspended. For visitors.") var expires: Int?

        func validate() throws {
            if let expires, !(1...3650).contains(expires) { throw ValidationError("--expires takes 1 to 3650 days") }
        }

        func run() async throws {
            let password = try PasswordInput.read()
            var new = AccountService.NewAccount(username: name, displayName: displayName, password: password)
            new.role = role
            new.kind = kind
            new.emailOnly = emailOnly
            let account = try await store.withCore { core in
                let account = try await core.accounts.create(new)
                guard let expires else { return account }
                return try await core.accounts.setExpiry(actor: nil, target: account.id, days: expires)
            }
            print("created \(account.role.rawValue) \(account.username) (id \(account.id))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List members, newest first.")
        @OptionGroup var store: StoreOptions
        @Option(help: "Only accounts with this status (active, pending, suspended, rejected).") var status: AccountStatus?

        func run() async throws {
            try await store.withCore { core in try await list(core) }
        }

        private func list(_ core: Core) async throws {
            var before: Int64?
            print(["USERNAME", "ROLE", "KIND", "STATUS", "CREATED", "DISPLAY NAME"].joined(separator: "\t"))
            let formatter = ISO8601DateFormatter()
            repeat {
                let page = try await core.accounts.list(status: status, before: before, limit: 500)
                for account in page {
                    let created = formatter.string(from: Date(timeIntervalSince1970: Double(account.createdAt) / 1000))
                    print([account.username, account.role.rawValue, account.kind.rawValue, account.status.rawValue, created,
                           account.displayName].joined(separator: "\t"))
                }
                before = page.count == 500 ? page.last?.id : nil
            } while before != nil
        }
    }

    struct Suspend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Suspend a member on every surface and end their sessions.")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        @Option(help: "Why; shown to moderators and kept in the audit log.") var reason: String
        @Option(help: "End the suspension by itself after this many days (1-3650); without it, until unsuspended.") var days: Int?

        func validate() throws {
            if let days, !(1...3650).contains(days) { throw ValidationError("--days takes 1 to 3650 days") }
        }

        func run() async throws {
            let account = try await store.withCore { core in
                guard let account = try await core.accounts.find(username: name) else { throw CoreError.notFound }
                return try await core.accounts.suspend(actor: nil, target: account.id, reason: reason, days: days)
            }
            print("suspended \(account.username)" + (days.map { " for \($0) days" } ?? ""))
        }
    }

    struct Unsuspend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lift a member's suspension.")
        @OptionGroup var store: StoreOptions
        @Argument var name: String

        func run() async throws {
            let account = try await store.withCore { core in
                guard let account = try await core.accounts.find(username: name) else { throw CoreError.notFound }
                return try await core.accounts.setSuspended(actor: nil, target: account.id, suspended: false, reason: "")
            }
            print("unsuspended \(account.username)")
        }
    }

    struct Expiry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "expire", abstract: "Set when a member's pass ends (a visitor's); extending an expired pass lets them back in.")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        @Option(help: "Days from now (1-3650).") var days: Int?
        @Flag(help: "Remove the end date.") var never = false

        func validate() throws {
            guard (days != nil) != never else { throw ValidationError("give --days N or --never") }
            if let days, !(1...3650).contains(days) { throw ValidationError("--days takes 1 to 3650 days") }
        }

        func run() async throws {
            let account = try await store.withCore { core in
                guard let account = try await core.accounts.find(username: name) else { throw CoreError.notFound }
                return try await core.accounts.setExpiry(actor: nil, target: account.id, days: days)
            }
            print(account.expiresAt.map { "\(account.username) expires \(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double($0) / 1000)))" }
                  ?? "\(account.username) never expires")
        }
    }
}

extension UserCommand {
    /// A hacked account: everything revoked and ended on every surface, a new password required.
    struct Lock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lock a hacked account: revoke its sessions, tokens and app passwords, end its connections, require a new password; prints the one-time reset link to hand to the owner.")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        @Option(help: "Why; kept in the audit log.") var reason: String = ""

        func run() async throws {
            let link = try await store.withCore { core in
                guard let account = try await core.accounts.find(username: name) else { throw CoreError.notFound }
                let (_, token) = try await core.locks.lock(actor: nil, target: account.id, reason: reason)
                return try await UserCommand.resetLink(token, core: core)
            }
            print("locked \(name); reset link (valid 7 days, once):\n  \(link)")
        }
    }

    /// A one-time link to set a new password: for a member who forgot theirs, or a locked account whose first
    /// link was lost. `reset-link` is the older name.
    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-password", abstract: "Print a one-time link (valid 7 days) that sets a new password for NAME; earlier links stop working.",
            aliases: ["reset-link"])
        @OptionGroup var store: StoreOptions
        @Argument var name: String

        func run() async throws {
            let link = try await store.withCore { core in
                guard let account = try await core.accounts.find(username: name) else { throw CoreError.notFound }
                return try await UserCommand.resetLink(try await core.locks.issueResetLink(actor: nil, target: account.id), core: core)
            }
            print(link)
        }
    }

    static func resetLink(_ token: String, core: Core) async throws -> String {
        let base = try await core.settings.get(.publicURL) ?? "http://127.0.0.1:8080"
        return "\(base)/reset/\(token)"
    }
}

extension Role: ExpressibleByArgument {}
extension AccountKind: ExpressibleByArgument {}
extension AccountStatus: ExpressibleByArgument {}

/// Reads a password from standard input: without echo at a terminal, else the first line of the pipe.
enum PasswordInput {
    static func read() throws -> String {
        let password: String?
        if isatty(STDIN_FILENO) != 0 {
            password = getpass("Password: ").map { String(cString: $0) }
        } else {
            password = readLine(strippingNewline: true)
        }
        guard let password, !password.isEmpty else {
            throw ConfigurationError("no password on standard input (pipe it in, e.g. echo \"$PASSWORD\" | starcon user add NAME)")
        }
        return password
    }
}
