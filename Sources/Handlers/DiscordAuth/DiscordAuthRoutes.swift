import JSONSupport
import DiscordKit
import Foundation
import Store

/// Discord account linking and "Log in with Discord": the OAuth callback, `/login`, `/logout`,
/// the bot invite, and the success and error pages the callback leads to.
enum DiscordAuthRoutes {
    static let loginStateLifetime: TimeInterval = 10 * 60

    static func register(on router: inout Router) {
        router.get("/api/discord/invite") { _, context in
            .json(["invite_url": .string(context.services.environment.botInviteURL)])
        }
        router.get("/api/discord/callback", callback)
        router.get("/login", login)
        router.post("/logout", logout)
        router.get("/discord/success") { request, context in
            try context.render("discord-success", ["username": request.query["username"] ?? ""])
        }
        router.get("/discord/error") { request, context in
            let failure = CallbackFailure.from(code: request.query["error"])
            return try context.render(
                "discord-error", ["code": failure.rawValue, "title": failure.title, "advice": failure.advice])
        }
    }

    /// `GET /login?next=/path`: sends the browser to Discord with a single-use state bound to its session.
    private static func login(_ request: Request, _ context: RequestContext) throws -> Response {
        let session = try context.ensureSession()
        let state = Secrets.randomToken()
        guard let url = DiscordLinks.authorizeURL(state: state, config: context.config) else {
            return redirectToError(.oauthNotConfigured, context: context)
        }
        let states = OAuthStateStore(context.db)
        try states.deleteExpired(now: context.now)
        try states.create(
            stateHash: Secrets.sha256(state), sessionIDHash: session.idHash,
            returnTo: localPath(request.query["next"]), expiresAt: context.now.addingTimeInterval(loginStateLifetime))
        return .redirect(to: url)
    }

    private static func logout(_ request: Request, _ context: RequestContext) throws -> Response {
        try context.verifyCSRF(try request.formFields()["csrf_token"])
        try context.endSession()
        return .redirect(to: "/", status: .seeOther)
    }

    /// Only same-site paths are followed after login (no open redirect).
    static func localPath(_ candidate: String?) -> String {
        guard let candidate, candidate.hasPrefix("/"), !candidate.hasPrefix("//"), !candidate.hasPrefix("/\\"),
              !candidate.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { return "/" }
        return candidate
    }

    /// `GET /api/discord/callback?code&state`: completes onboarding verification (state = verification
    /// token) or a login (state from `/login`). Every outcome is a redirect.
    private static func callback(_ request: Request, _ context: RequestContext) throws -> Response {
        do {
            return try completeCallback(request, context)
        } catch let gone as ClientGone {
            throw gone
        } catch let failure as CallbackFailure {
            context.logger.notice("discord callback failed", metadata: ["error": "\(failure.rawValue)"])
            return redirectToError(failure, context: context)
        } catch {
            context.logger.error("discord callback failed", metadata: ["error": "\(error)"])
            return redirectToError(.serverError, context: context)
        }
    }

    private enum Purpose {
        case verification(User)
        case login(returnTo: String)
    }

    private static func completeCallback(_ request: Request, _ context: RequestContext) throws -> Response {
        guard let code = request.query["code"], !code.isEmpty, let state = request.query["state"], !state.isEmpty else {
            throw CallbackFailure.missingParams
        }
        let stateHash = Secrets.sha256(state)
        let purpose = try resolve(stateHash: stateHash, context: context)
        let discordUser = try fetchDiscordUser(code: code, request: request, context: context)
        switch purpose {
        case .verification(let user):
            let outcome = try UserStore(context.db).completeVerification(
                userID: user.id, tokenHash: stateHash, discordID: discordUser.id, discordUsername: discordUser.username)
            switch outcome {
            case .linked(let linked):
                context.logger.info("linked discord account", metadata: ["user_id": "\(linked.id)"])
                try signIn(linked, discordID: discordUser.id, context: context)
                return .redirect(to: context.config.webAppBaseURL + "/discord/success?username="
                    + FormEncoding.encode(discordUser.username))
            case .tokenAlreadyUsed:
                throw CallbackFailure.invalidToken
            case .discordAccountTaken:
                throw CallbackFailure.verificationFailed
            }
        case .login(let returnTo):
            let user = try UserStore(context.db).upsertDiscordLogin(
                discordID: discordUser.id, discordUsername: discordUser.username, email: discordUser.email)
            context.logger.info("logged in with discord", metadata: ["user_id": "\(user.id)"])
            try signIn(user, discordID: discordUser.id, context: context)
            return .redirect(to: context.config.webAppBaseURL + returnTo)
        }
    }

    /// Starts the user's session and links the staff member with the same Discord id, if any.
    private static func signIn(_ user: User, discordID: String, context: RequestContext) throws {
        try context.startSession(userID: user.id, adminID: nil)
        try StaffStore(context.db).link(discordID: discordID, userID: user.id)
    }

    /// A login state (consumed here, whatever happens next) or a verification token (consumed on success).
    private static func resolve(stateHash: [UInt8], context: RequestContext) throws -> Purpose {
        let states = OAuthStateStore(context.db)
        if try states.exists(stateHash: stateHash) {
            switch try states.consume(stateHash: stateHash, sessionIDHash: try context.session()?.idHash, now: context.now) {
            case .valid(let returnTo): return .login(returnTo: returnTo)
            case .expired, .otherBrowser, .unknown: throw CallbackFailure.invalidToken
            }
        }
        switch try UserStore(context.db).user(verificationTokenHash: stateHash, now: context.now) {
        case .valid(let user): return .verification(user)
        case .expired, .unknown: throw CallbackFailure.invalidToken
        }
    }

    private static func fetchDiscordUser(code: String, request: Request, context: RequestContext) throws -> DiscordUser {
        let discord = context.services.discord(logger: context.logger)
        let token: OAuthToken
        do {
            token = try discord.exchangeCode(code, redirectURI: context.config.discordRedirectURI)
        } catch {
            switch error {
            case .notConfigured: throw CallbackFailure.oauthNotConfigured
            case .noAccessToken: throw CallbackFailure.noAccessToken
            default:
                context.logger.notice("discord token exchange failed", metadata: ["error": "\(error)"])
                throw CallbackFailure.tokenExchangeFailed
            }
        }
        try request.ensureClientConnected()
        do {
            return try discord.currentUser(accessToken: token.accessToken)
        } catch {
            switch error {
            case .noUserID: throw CallbackFailure.noDiscordID
            default:
                context.logger.notice("discord user lookup failed", metadata: ["error": "\(error)"])
                throw CallbackFailure.userInfoFailed
            }
        }
    }

    private static func redirectToError(_ failure: CallbackFailure, context: RequestContext) -> Response {
        .redirect(to: context.config.webAppBaseURL + "/discord/error?error=" + failure.rawValue)
    }
}
