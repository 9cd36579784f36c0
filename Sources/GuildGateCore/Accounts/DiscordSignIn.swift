import DiscordKit
import Foundation
import Logging
import Store

/// Linking a Discord account and logging in with it. Every flow starts in the browser that will finish it:
/// a single-use `state` bound to that browser's session, with PKCE. The callback refuses a state another
/// browser started, so a callback URL (code and state) opened elsewhere never links or signs in anyone.
public struct DiscordSignIn {
    public static let stateLifetime: TimeInterval = 10 * 60

    public static let pkceKeyPurpose = "pkce-verifier"

    /// A flow the callback may complete: where to go afterwards, the onboarding it verifies, if any, and the key
    /// its PKCE verifier is derived with.
    public struct Flow: Sendable {
        public let returnTo: String
        public let verificationTokenHash: [UInt8]?
        let pkceKey: DerivedKey
    }

    let config: AppConfig
    /// Newest first (`SecretKeys.derived(purpose: DiscordSignIn.pkceKeyPurpose)`): a flow starts with the newest,
    /// and its state records which, so that a flow started before a rotation completes after it.
    let pkceKeys: [DerivedKey]
    let db: PostgresConnection
    let logger: Logger

    public init(config: AppConfig, pkceKeys: [DerivedKey], db: PostgresConnection, logger: Logger) {
        precondition(!pkceKeys.isEmpty, "at least one key")
        self.config = config
        self.pkceKeys = pkceKeys
        self.db = db
        self.logger = logger
    }

    /// Records a flow for the browser session `sessionIDHash`; returns where to send the browser, or nil
    /// when the Discord client is not configured.
    public func start(sessionIDHash: [UInt8], returnTo: String, verificationTokenHash: [UInt8]?, now: Date) throws -> String? {
        let state = Secrets.randomToken()
        let key = pkceKeys[0]
        guard let url = DiscordLinks.authorizeURL(state: state, config: config, pkceKey: key.bytes) else { return nil }
        let states = OAuthStateStore(db)
        try states.deleteExpired(now: now)
        try states.create(
            stateHash: Secrets.sha256(state), sessionIDHash: sessionIDHash, returnTo: returnTo,
            verificationTokenHash: verificationTokenHash, keyID: key.masterID, expiresAt: now.addingTimeInterval(Self.stateLifetime))
        return url
    }

    /// The flow `state` names, if this browser session started it; used up either way.
    public func resume(state: String, sessionIDHash: [UInt8]?, now: Date) throws -> Flow {
        switch try OAuthStateStore(db).consume(stateHash: Secrets.sha256(state), sessionIDHash: sessionIDHash, now: now) {
        case .valid(let returnTo, let verificationTokenHash, let keyID):
            // A flow started before key ids were recorded had the one key there was then, still the newest unless
            // the key was rotated within the state's 10 minutes of the upgrade.
            let key = keyID == nil ? pkceKeys.first : pkceKeys.first(where: { $0.masterID == keyID })
            guard let key else {
                logger.notice(
                    "a sign-in flow was started under a secret key that is no longer listed", metadata: ["key_id": "\(keyID ?? "")"])
                throw CallbackFailure.invalidToken
            }
            return Flow(returnTo: returnTo, verificationTokenHash: verificationTokenHash, pkceKey: key)
        case .expired, .otherBrowser, .unknown:
            throw CallbackFailure.invalidToken
        }
    }

    /// The Discord account that approved: the code exchanged with the flow's PKCE verifier, then its user read
    /// unless `stillWanted` says the browser has gone in between.
    public func approvingUser(
        code: String, state: String, flow: Flow, discord: DiscordClient, stillWanted: () throws -> Void
    ) throws -> DiscordUser {
        let token: OAuthToken
        do {
            token = try discord.exchangeCode(
                code, redirectURI: config.discordRedirectURI, codeVerifier: PKCE(state: state, key: flow.pkceKey.bytes).verifier)
        } catch {
            switch error {
            case .notConfigured: throw CallbackFailure.oauthNotConfigured
            case .noAccessToken: throw CallbackFailure.noAccessToken
            default:
                logger.notice("discord token exchange failed", metadata: ["error": "\(error)"])
                throw CallbackFailure.tokenExchangeFailed
            }
        }
        try stillWanted()
        do {
            return try discord.currentUser(accessToken: token.accessToken)
        } catch {
            switch error {
            case .noUserID: throw CallbackFailure.noDiscordID
            default:
                logger.notice("discord user lookup failed", metadata: ["error": "\(error)"])
                throw CallbackFailure.userInfoFailed
            }
        }
    }

    /// The user of a Discord account, created at its first login.
    public func logIn(_ discordUser: DiscordUser) throws -> User {
        let user = try UserStore(db).upsertDiscordLogin(discordID: discordUser.id, discordUsername: discordUser.username)
        logger.info("logged in with discord", metadata: ["user_id": "\(user.id)"])
        return user
    }

    /// Links the Discord account to the onboarded user and applies the details that waited, or says why it
    /// may not (`CallbackFailure.invalidToken`, a `VerificationRefusal`).
    public func completeVerification(tokenHash: [UInt8], discordUser: DiscordUser, now: Date) throws -> User {
        try AccountLinking.complete(
            tokenHash: tokenHash, discordID: discordUser.id, discordUsername: discordUser.username, db: db, now: now, logger: logger)
    }

    /// A user signing in with Discord becomes the staff member of the same Discord id, if there is one.
    public func linkStaffMember(discordID: String, userID: Int) throws {
        try StaffStore(db).link(discordID: discordID, userID: userID)
    }
}
