import Foundation
import Logging

/// Every core service over one store, built once and shared by every surface.
public final class Core: Sendable {
    public let database: any Database
    public let clock: Clock
    public let ids: IDGenerator
    public let settings: Settings
    public let audit: AuditLog
    public let accounts: AccountService
    public let sessions: SessionService
    public let invitations: InvitationService
    public let registration: RegistrationService
    public let setup: SetupService
    public let news: NewsService
    public let oauth: OAuthService
    public let feed: FeedService
    public let relationships: RelationshipService
    public let notifications: NotificationService
    public let media: MediaService
    /// Every change someone may be watching is published here after it is committed.
    public let events: EventBus
    public let messenger: MessengerService

    /// `mediaDirectory`: where uploaded photos are kept (the data directory's `media`).
    public init(database: any Database, clock: Clock = .system, hasher: PasswordHasher = PasswordHasher(), domain: String = "starcon.local",
                mediaDirectory: String = NSTemporaryDirectory() + "starcon-media") {
        self.database = database
        self.clock = clock
        let ids = IDGenerator(clock: clock)
        self.ids = ids
        let settings = Settings(database: database)
        self.settings = settings
        let audit = AuditLog(database: database, ids: ids, clock: clock)
        self.audit = audit
        let events = EventBus()
        self.events = events
        let accounts = AccountService(database: database, ids: ids, clock: clock, hasher: hasher, audit: audit, events: events)
        self.accounts = accounts
        self.sessions = SessionService(database: database, ids: ids, clock: clock)
        self.invitations = InvitationService(database: database, ids: ids, clock: clock, audit: audit)
        self.registration = RegistrationService(database: database, clock: clock, accounts: accounts, settings: settings, audit: audit)
        self.setup = SetupService(database: database, accounts: accounts, audit: audit)
        self.news = NewsService(database: database, ids: ids, clock: clock, audit: audit, domain: domain)
        self.oauth = OAuthService(database: database, ids: ids, clock: clock, accounts: accounts)
        let mediaFiles = MediaFiles(directory: mediaDirectory, database: database)
        self.feed = FeedService(database: database, ids: ids, clock: clock, events: events, mediaFiles: mediaFiles)
        self.relationships = RelationshipService(database: database, ids: ids, clock: clock, events: events)
        self.notifications = NotificationService(database: database)
        self.media = MediaService(database: database, ids: ids, clock: clock, files: mediaFiles)
        self.messenger = MessengerService(database: database, ids: ids, clock: clock, events: events, mediaFiles: mediaFiles)
    }

    /// Opens the store and brings its schema up to date.
    /// `domain` nil means the one the last `serve` recorded (so command-line tools agree with the server).
    public static func open(_ location: DatabaseLocation, logger: Logger, clock: Clock = .system, domain: String? = nil,
                            mediaDirectory: String = NSTemporaryDirectory() + "starcon-media") async throws -> Core {
        let database = try await DatabaseOpener.open(location, logger: logger)
        do {
            try await Migrator.migrate(database, now: clock.nowMilliseconds())
            let settings = Settings(database: database)
            var resolved = domain
            if resolved == nil { resolved = try await settings.get(.domain) }
            let core = Core(database: database, clock: clock, domain: resolved ?? "starcon.local", mediaDirectory: mediaDirectory)
            try await core.news.fillMissingOverviews()
            return core
        } catch {
            await database.close()
            throw error
        }
    }
}
