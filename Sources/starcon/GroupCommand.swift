import ArgumentParser
import StarconCore

struct GroupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "group", abstract: "Manage newsgroups.", subcommands: [Create.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a newsgroup.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Name: dot-separated lowercase components, e.g. campus.sports.") var name: String
        @Option(help: "One line about the group.") var description = ""
        @Flag(help: "Posts wait until a moderator approves them.") var moderated = false
        @Flag(name: .customLong("read-only"), help: "Only moderators and staff may post (official announcements).") var readOnly = false

        func validate() throws {
            if moderated && readOnly { throw ValidationError("--moderated and --read-only exclude each other") }
        }

        func run() async throws {
            let posting: PostingPolicy = moderated ? .moderated : (readOnly ? .readonly : .open)
            let group = try await store.withCore { core in
                try await core.news.createGroup(actor: nil, name: name, description: description, posting: posting)
            }
            print("created \(group.name) (\(group.posting.rawValue))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List newsgroups.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let groups = try await store.withCore { core in try await core.news.groups() }
            print(["NAME", "POSTING", "ARTICLES", "DESCRIPTION"].joined(separator: "\t"))
            for group in groups {
                print([group.name, group.posting.rawValue, String(group.articleCount), group.description].joined(separator: "\t"))
            }
        }
    }
}
