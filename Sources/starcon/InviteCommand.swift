import ArgumentParser
import StarconCore

struct InviteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invite", abstract: "Manage invitations.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an invitation and print its link.")
        @OptionGroup var store: StoreOptions
        @Option(help: "How many people may join with it (1–1000).") var uses = 1
        @Option(help: "Days until it expires (1–365).") var expires = 7

        func run() async throws {
            let link = try await store.withCore { core in
                let invitation = try await core.invitations.create(actor: nil, uses: uses, expiresInDays: expires)
                let base = try await core.settings.get(.publicURL) ?? "http://127.0.0.1:8080"
                return "\(base)/invite/\(invitation.code)"
            }
            print(link)
        }
    }
}
