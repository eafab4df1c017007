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
    public let appPasswords: AppPasswordService
    public let twoFactor: TwoFactorService
    /// How every surface signs a member in (web and OAuth in two steps with TOTP; NNTP, SMTP, IMAP in one).
    public let signIn: SignInService
    public let locks: AccountLockService
    public let invitations: InvitationService
    public let registration: RegistrationService
    public let setup: SetupService
    public let news: NewsService
    public let oauth: OAuthService
    public let feed: FeedService
    public let relationships: RelationshipService
    public let notifications: NotificationService
    public let media: MediaService
    public let markers: MarkerService
    public let stats: NetworkStats
    public let lists: ListService
    public let filters: FilterService
    /// Members' reports and the moderators' decisions.
    public let reports: ReportService
    /// Where this node's subscribers (streams, protocol sessions) hear of committed changes, in log order.
    public let events: EventBus
    /// The transactional event log every change someone may be watching is written to.
    public let log: EventLog
    public let messenger: MessengerService
    public let mail: MailService
    public let search: SearchService
    /// The one path by which a member sends mail and another server delivers it (SMTP, web mail).
    public let submission: MailSubmission
    /// Mail waiting for other domains.
    public let mailQueue: MailQueue
    /// Institutions' websites: pages, translations, revisions, scheduled publishing.
    public let sites: SiteService
    /// Official notices to every member, on every surface.
    public let announcements: AnnouncementService
    /// The admin dashboard's figures (also in `/metrics`).
    public let dashboard: DashboardStats
    /// This process's id tag, leased in the store (nil for a Core made without `open`, as some tests do).
    public let lease: NodeLease?

    /// `mediaDirectory`: where uploaded photos are kept (the data directory's `media`).
    public init(database: any Database, clock: Clock = .system, hasher: PasswordHasher = PasswordHasher(), domain: String = "starcon.local",
                mediaDirectory: String = NSTemporaryDirectory() + "starcon-media", lease: NodeLease? = nil,
                logger: Logger = Logger(label: "starcon")) {
        self.database = database
        self.clock = clock
        self.lease = lease
        let ids = IDGenerator(clock: clock, processTag: lease?.tag ?? UInt8.random(in: 0...255))
        self.ids = ids
        let settings = Settings(database: database)
        self.settings = settings
        let audit = AuditLog(database: database, ids: ids, clock: clock)
        self.audit = audit
        let events = EventBus()
        self.events = events
        let log = EventLog(database: database, clock: clock, bus: events, logger: logger)
        self.log = log
        let mail = MailService(database: database, ids: ids, clock: clock, log: log, domain: domain)
        self.mail = mail
        let accounts = AccountService(database: database, ids: ids, clock: clock, hasher: hasher, audit: audit, log: log,
                                      announcementMail: AnnouncementCatchUp(mail: mail, clock: clock))
        self.accounts = accounts
        self.sessions = SessionService(database: database, ids: ids, clock: clock, log: log)
        let appPasswords = AppPasswordService(database: database, ids: ids, clock: clock, hasher: hasher, audit: audit, log: log)
        self.appPasswords = appPasswords
        let twoFactor = TwoFactorService(database: database, ids: ids, clock: clock, accounts: accounts, audit: audit, log: log)
        self.twoFactor = twoFactor
        self.signIn = SignInService(database: database, ids: ids, clock: clock, accounts: accounts, appPasswords: appPasswords, twoFactor: twoFactor)
        self.locks = AccountLockService(database: database, clock: clock, accounts: accounts, audit: audit, log: log)
        self.invitations = InvitationService(database: database, ids: ids, clock: clock, audit: audit)
        self.registration = RegistrationService(database: database, clock: clock, accounts: accounts, settings: settings, audit: audit)
        self.setup = SetupService(database: database, accounts: accounts, audit: audit)
        self.news = NewsService(database: database, ids: ids, clock: clock, audit: audit, domain: domain)
        self.oauth = OAuthService(database: database, ids: ids, clock: clock, accounts: accounts)
        let mediaFiles = MediaFiles(directory: mediaDirectory, database: database)
        self.feed = FeedService(database: database, ids: ids, clock: clock, log: log, mediaFiles: mediaFiles)
        self.relationships = RelationshipService(database: database, ids: ids, clock: clock, log: log)
        self.notifications = NotificationService(database: database)
        self.media = MediaService(database: database, ids: ids, clock: clock, files: mediaFiles)
        self.markers = MarkerService(database: database, clock: clock)
        self.stats = NetworkStats(database: database, clock: clock)
        self.lists = ListService(database: database, ids: ids, clock: clock)
        self.filters = FilterService(database: database, ids: ids, clock: clock)
        self.messenger = MessengerService(database: database, ids: ids, clock: clock, log: log, mediaFiles: mediaFiles)
        self.search = SearchService(database: database, clock: clock, mail: mail)
        self.submission = MailSubmission(mail: mail, database: database, ids: ids, clock: clock, log: log)
        self.mailQueue = MailQueue(database: database, ids: ids, clock: clock, log: log, mail: mail)
        self.sites = SiteService(database: database, ids: ids, clock: clock, feed: feed, settings: settings, media: media, audit: audit)
        self.reports = ReportService(database: database, ids: ids, clock: clock, log: log, audit: audit, accounts: accounts, feed: feed,
                                     messenger: messenger, news: news, mail: mail, sites: sites)
        self.announcements = AnnouncementService(database: database, ids: ids, clock: clock, log: log, audit: audit, news: news, mail: mail)
        self.dashboard = DashboardStats(database: database, clock: clock, mediaDirectory: mediaDirectory)
    }

    /// Opens the store, brings its schema up to date, leases this process's id tag and (unless `deliver` is
    /// false, as for a command-line tool, which has no subscribers) starts delivering the event log to this
    /// process's bus. `domain` nil means the one the last `serve` recorded (so command-line tools agree with
    /// the server).
    public static func open(_ location: DatabaseLocation, logger: Logger, clock: Clock = .system, domain: String? = nil,
                            mediaDirectory: String = NSTemporaryDirectory() + "starcon-media", deliver: Bool = true) async throws -> Core {
        let database = try await DatabaseOpener.open(location, logger: logger)
        let lease = NodeLease(database: database, clock: clock)
        do {
            try await Migrator.migrate(database, now: clock.nowMilliseconds())
            _ = try await lease.acquire()
            let settings = Settings(database: database)
            var resolved = domain
            if resolved == nil { resolved = try await settings.get(.domain) }
            let core = Core(database: database, clock: clock, domain: resolved ?? "starcon.local", mediaDirectory: mediaDirectory,
                            lease: lease, logger: logger)
            try await core.news.fillMissingOverviews()
            if deliver { try await core.log.start() }
            return core
        } catch {
            await lease.release()
            await database.close()
            throw error
        }
    }

    /// Stops delivering events, gives the id tag back and closes the store.
    public func close() async {
        await log.stop()
        await lease?.release()
        await database.close()
    }

    /// Keeps this process's id tag leased until cancelled (a serving node runs it).
    public func keepLeaseRenewed(logger: Logger) async {
        await lease?.keepRenewed(ids: ids, logger: logger)
    }

    /// The periodic work every serving node offers; `JobRunner` runs each on one node at a time.
    /// `homeFeedTrim`: milliseconds between home-feed trims. `moderationInterval`: milliseconds between the
    /// looks for expired visitor passes and timed suspensions that have run out.
    public func standardJobs(homeFeedTrim: Int64 = 600_000, eventRetention: Int64 = EventLog.defaultRetention,
                             moderationInterval: Int64 = 60_000) -> [JobRunner.Job] {
        let feed = self.feed, sites = self.sites, log = self.log, accounts = self.accounts, oauth = self.oauth, media = self.media
        let announcements = self.announcements
        let hour: Int64 = 3_600_000
        return [
            JobRunner.Job(name: "accounts.end_expired", every: moderationInterval, firstAfter: 1_000) { _ = try await accounts.suspendExpired() },
            JobRunner.Job(name: "accounts.end_suspensions", every: moderationInterval, firstAfter: 1_000) { _ = try await accounts.endSuspensions() },
            JobRunner.Job(name: "accounts.prune_rate_counters", every: hour) { try await accounts.pruneRateCounters() },
            JobRunner.Job(name: "oauth.prune_unused_apps", every: hour) { _ = try await oauth.pruneUnusedApps() },
            JobRunner.Job(name: "media.sweep_orphans", every: 6 * hour, firstAfter: 10 * 60_000) { _ = try await media.sweepOrphans() },
            JobRunner.Job(name: "feed.trim_home", every: homeFeedTrim) { try await feed.trimHomeFeeds() },
            JobRunner.Job(name: "feed.publish_scheduled", every: 5_000, firstAfter: 1_000) { try await feed.publishScheduled() },
            JobRunner.Job(name: "sites.publish_scheduled", every: 5_000, firstAfter: 1_000) { try await sites.publishScheduled() },
            JobRunner.Job(name: "feed.end_polls", every: 5_000, firstAfter: 1_000) { try await feed.endPolls() },
            JobRunner.Job(name: "feed.prune_idempotency_keys", every: hour) { try await feed.pruneIdempotencyKeys() },
            JobRunner.Job(name: "announcements.deliver", every: 3_000, firstAfter: 1_000) { try await announcements.deliverPending() },
            JobRunner.Job(name: "events.prune", every: min(eventRetention, 300_000)) { try await log.prune(olderThan: eventRetention) },
        ]
    }
}
