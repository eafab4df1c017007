import ArgumentParser
import StarconCore

struct SiteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "site", abstract: "Manage institutions' websites.", subcommands: [Create.self, Editor.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Grant a site to an official, organisation or company account.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The site's name: its path /sites/NAME and host NAME.DOMAIN.") var name: String
        @Option(help: "The account that owns the site.") var owner: String
        @Option(help: "The site's title (default: the owner's display name).") var title: String?

        func run() async throws {
            let site = try await store.withCore { core in
                guard let owner = try await core.accounts.find(username: owner) else { throw CoreError.notFound }
                return try await core.sites.create(actor: nil, name: name, owner: owner, title: title)
            }
            print("created site \(site.name) owned by \(site.owner.username)")
        }
    }

    struct Editor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Name or remove a site's editors.", subcommands: [Add.self, Remove.self])

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Let an account write and publish the site's pages.")
            @OptionGroup var store: StoreOptions
            @Argument var name: String
            @Argument var account: String

            func run() async throws {
                try await SiteCommand.changeEditor(store, name, account, adding: true)
                print("\(account) edits \(name)")
            }
        }

        struct Remove: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Take an editor off the site.")
            @OptionGroup var store: StoreOptions
            @Argument var name: String
            @Argument var account: String

            func run() async throws {
                try await SiteCommand.changeEditor(store, name, account, adding: false)
                print("\(account) no longer edits \(name)")
            }
        }
    }

    static func changeEditor(_ store: StoreOptions, _ name: String, _ username: String, adding: Bool) async throws {
        try await store.withCore { core in
            guard let site = try await core.sites.site(named: name), let editor = try await core.accounts.find(username: username) else {
                throw CoreError.notFound
            }
            if adding {
                try await core.sites.addEditor(actor: nil, site: site, editor: editor)
            } else {
                try await core.sites.removeEditor(actor: nil, site: site, editor: editor)
            }
        }
    }
}
