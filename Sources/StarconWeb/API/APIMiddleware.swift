import Hummingbird
import StarconCore

/// For the JSON APIs (`/api/…`, `/oauth/token`, `/oauth/revoke`): errors become `{"error": …}` with the
/// right status. These paths never look at cookies, so they need no CSRF token: they are authorised by the
/// bearer token alone.
struct APIMiddleware: RouterMiddleware {
    typealias Context = WebContext

    static func isAPI(_ path: String) -> Bool {
        path.hasPrefix("/api/") || path == "/oauth/token" || path == "/oauth/revoke"
    }

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        guard Self.isAPI(request.uri.path) else { return try await next(request, context) }
        do {
            return try await next(request, context)
        } catch let error as APIError {
            var body: [String: Any] = ["error": error.message]
            if let code = error.code { body = ["error": code, "error_description": error.message] }
            return JSON.response(body, status: error.status)
        } catch let error as CoreError {
            var headers: HTTPFields = [:]
            if let seconds = error.retryAfterSeconds { headers[.retryAfter] = String(seconds) }
            return JSON.response(["error": APIMessages.text(error)], status: error.kind == .invalid ? .unprocessableContent : error.httpStatus,
                                 headers: headers)
        } catch let error as any HTTPResponseError {
            // HTTPError, an over-long body (413), and Hummingbird's own errors: their status, in JSON.
            return JSON.response(["error": error.status.reasonPhrase], status: error.status)
        } catch {
            context.logger.error("API request failed", metadata: ["error": .string(String(describing: type(of: error)))])
            return JSON.response(["error": "Internal server error"], status: .internalServerError)
        }
    }
}

/// English messages for core errors in API answers (clients show them as they are).
enum APIMessages {
    static func text(_ error: CoreError) -> String {
        switch error.key {
        case "login_failed": "Invalid username or password"
        case "login_throttled": "Too many failed attempts, try again later"
        case "account_suspended": "Your account has been suspended"
        case "account_pending": "Your account is waiting for approval"
        case "password_reset_required": "This account is locked: set a new password with the link from an admin"
        case "not_found", "reply_target": "Record not found"
        case "status_empty": "Validation failed: Text can't be blank"
        case "status_long": "Validation failed: Text character limit of 5000 exceeded"
        case "spoiler_long": "Validation failed: Spoiler text is too long"
        case "reblog_private": "This action is not allowed"
        case "blocked": "This action is not allowed"
        case "follow_self", "block_self", "mute_self": "Validation failed: you cannot do that to yourself"
        case "reaction_unknown": "Validation failed: this emoji is not one of the reactions"
        case "media_type": "Validation failed: File content type is invalid (JPEG, PNG, WebP or GIF only)"
        case "media_size": "Validation failed: File file size must be less than 16 MB"
        case "media_pixels": "Validation failed: File dimensions are too large (33 megapixels at most)"
        case "media_unreadable": "Validation failed: File could not be read as an image"
        case "media_description": "Validation failed: Description is too long (1500 characters at most)"
        case "media_count": "Validation failed: at most 4 photos per post"
        case "media_unknown": "Validation failed: a media id is not one of your unattached uploads"
        case "media_busy": "Too many photos are being processed, try again shortly"
        case "forbidden": "This action is not allowed"
        case "list_title": "Validation failed: Title must be 1 to 100 characters"
        case "list_not_followed": "Validation failed: you can only add accounts you follow to a list"
        case "list_limit": "Validation failed: at most 50 lists"
        case "list_members_limit": "Validation failed: at most 500 accounts in a list"
        case "pin_limit": "Validation failed: at most 5 pinned posts"
        case "pin_not_allowed": "Validation failed: only one's own public, unlisted or followers-only posts can be pinned"
        case "endorse_not_followed": "Validation failed: you can only feature accounts you follow"
        case "endorse_limit": "Validation failed: at most 20 featured accounts"
        case "note_long": "Validation failed: Comment is too long (2000 characters at most)"
        case "tag_invalid": "Validation failed: not a valid hashtag"
        case "tag_follow_limit": "Validation failed: at most 100 followed hashtags"
        case "marker_timeline": "Validation failed: markers are for home and notifications"
        case "filter_title": "Validation failed: Title can't be blank (200 characters at most)"
        case "filter_context": "Validation failed: Context can't be blank"
        case "filter_keyword": "Validation failed: a keyword is 1 to 200 characters"
        case "filter_limit": "Validation failed: at most 100 filters"
        case "filter_keywords_limit": "Validation failed: at most 100 keywords a filter"
        case "filter_expires": "Validation failed: expires_in must be a positive number of seconds"
        case "privacy_direct": "Validation failed: Privacy is not included in the list"
        case "fields_count": "Validation failed: at most \(ProfileRules.maxFields) profile fields"
        case "field_length": "Validation failed: a profile field needs a name, and name and value are at most 255 characters"
        case "idempotency_key": "Validation failed: Idempotency-Key must be 1 to 255 bytes"
        case "poll_options_count": "Validation failed: a poll has 2 to \(PollRules.maxOptions) options"
        case "poll_option_length": "Validation failed: a poll option is 1 to \(PollRules.maxOptionCharacters) characters"
        case "poll_options_duplicate": "Validation failed: Poll options must be unique"
        case "poll_expiration": "Validation failed: a poll lasts from 5 minutes to a month"
        case "poll_and_media": "Validation failed: a post cannot have both photos and a poll"
        case "poll_expired": "Validation failed: The poll has already ended"
        case "poll_choices": "Validation failed: the choices are not options of this poll"
        case "poll_already_voted": "Validation failed: You have already voted on this poll"
        case "scheduled_at_soon": "Validation failed: Scheduled at The scheduled date must be in the future"
        case "scheduled_at": "Validation failed: scheduled_at is not a valid time"
        case "app_name": "Validation failed: Application name must be 1 to \(OAuthService.AppLimits.maxNameCharacters) characters"
        case "app_website": "Validation failed: Website is too long (\(OAuthService.AppLimits.maxWebsiteBytes) bytes at most)"
        case "redirect_uri": "Validation failed: Redirect URI must be an absolute URI without a fragment, of at most \(OAuthService.AppLimits.maxRedirectURIBytes) bytes"
        case "redirect_uris_long": "Validation failed: at most \(OAuthService.AppLimits.maxRedirectURIs) redirect URIs of \(OAuthService.AppLimits.maxRedirectURIsBytes) bytes together"
        case "scope": "Validation failed: Scopes are not valid"
        case "apps_throttled": "Too many apps registered from this address, try again later"
        default: MessengerAPIMessages.text(error.key) ?? error.key.replacingOccurrences(of: "_", with: " ")
        }
    }
}
