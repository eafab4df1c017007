/// Where the data saver's choices are kept: the member's on their account, the instance's in `settings`.
extension Settings {
    public func photoLoadingDefault() async throws -> PhotoLoading? {
        try await get(.photoLoading).flatMap(PhotoLoading.init(rawValue:))
    }

    public func setPhotoLoadingDefault(actor: Account, _ value: PhotoLoading) async throws {
        guard Permissions.instance(actor).setPhotoLoadingDefault else { throw CoreError.forbidden }
        try await set(.photoLoading, value.rawValue)
    }
}

extension AccountService {
    /// nil: follow the instance's default.
    public func setPhotoLoading(of account: Account, to value: PhotoLoading?) async throws {
        try await database.write { db in
            try await db.raw("UPDATE accounts SET photo_loading = \(bind: value?.rawValue) WHERE id = \(bind: account.id)").run()
        }
    }

    /// The policy for one page view: the member's choice, else the instance's default, and the request's hints.
    public func photoPolicy(for viewer: Account?, settings: Settings, hints: LinkHints) async throws -> PhotoPolicy {
        let fallback = viewer?.photoLoading == nil ? try await settings.photoLoadingDefault() : nil
        return PhotoPolicy(member: viewer?.photoLoading, instanceDefault: fallback, hints: hints)
    }
}
