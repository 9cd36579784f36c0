import DiscordKit
import Foundation
import ProcessSupport
import Synchronization

/// Checks the Discord access tokens the sync API is called with, for every thread of the web process.
///
/// Discord says what a token is (`GET /oauth2/@me`); the answer is kept by the token's SHA-256 for
/// `cacheSeconds` (never past the token's own `expires`), so a client's burst of requests costs one call.
/// Threads asking about the same token at once wait for one call (single-flight). A token Discord refuses
/// is remembered for a few seconds only, so a burst of bad tokens costs few calls and a new token works at
/// once; an outage is not remembered at all. A revoked token works until its entry expires, at most
/// `cacheSeconds` later.
public final class TokenVerifier: Sendable {
    /// How long a token Discord refused is refused without asking again.
    public static let refusalSeconds: TimeInterval = 5
    /// How long a thread waits for another thread's call about the same token.
    static let flightWait: Duration = .seconds(15)

    private typealias Outcome = Result<OAuthAuthorization, TokenVerificationError>

    private struct Entry {
        let outcome: Outcome
        let until: Date
    }

    /// One call to Discord in progress, and what it found once it ends.
    private final class Flight: Sendable {
        let done = Latch()
        let outcome = Mutex<Outcome?>(nil)
    }

    private struct State {
        var entries: [TokenDigest: Entry] = [:]
        var flights: [TokenDigest: Flight] = [:]
    }

    private enum Step {
        case known(Outcome)
        case follow(Flight)
        case lead(Flight)
    }

    private let state = Mutex(State())
    let cacheSeconds: TimeInterval
    /// Tokens remembered at most; past it, expired entries go, then half of the rest.
    let capacity: Int

    public init(cacheSeconds: Int, capacity: Int = 10_000) {
        self.cacheSeconds = TimeInterval(max(0, cacheSeconds))
        self.capacity = max(1, capacity)
    }

    /// The user `token` speaks for, if it is a live token of GuildGate's application (`applicationID`)
    /// with the `identify` scope. `ask` asks Discord what the token is.
    public func verify(
        _ token: String, applicationID: String?, now: Date, ask: (String) throws(DiscordError) -> OAuthAuthorization
    ) throws(TokenVerificationError) -> TokenOwner {
        guard let applicationID, !applicationID.isEmpty else { throw .notConfigured }
        let authorization = try outcome(of: token, now: now, ask: ask).get()
        guard authorization.applicationID == applicationID else { throw .otherApplication }
        guard authorization.scopes.contains("identify"), let user = authorization.user else { throw .missingIdentifyScope }
        guard authorization.expires > now else { throw .expired }
        return TokenOwner(discordID: user.id, username: user.username)
    }

    private func outcome(of token: String, now: Date, ask: (String) throws(DiscordError) -> OAuthAuthorization) -> Outcome {
        let digest = TokenDigest(token)
        let step = state.withLock { state -> Step in
            if let entry = state.entries[digest] {
                if entry.until > now { return .known(entry.outcome) }
                state.entries[digest] = nil
            }
            if let flight = state.flights[digest] { return .follow(flight) }
            let flight = Flight()
            state.flights[digest] = flight
            return .lead(flight)
        }
        switch step {
        case .known(let outcome):
            return outcome
        case .follow(let flight):
            guard flight.done.block(timeout: Self.flightWait), let outcome = flight.outcome.withLock({ $0 }) else {
                return .failure(.discordUnavailable("another request's check of this token did not finish"))
            }
            return outcome
        case .lead(let flight):
            let outcome: Outcome
            do {
                outcome = .success(try ask(token))
            } catch {
                outcome = .failure(Self.verificationError(error))
            }
            let until = lifetime(of: outcome, now: now)
            state.withLock { state in
                state.flights[digest] = nil
                guard let until, until > now else { return }
                TokenDigest.makeRoom(in: &state.entries, capacity: capacity) { $0.until > now }
                state.entries[digest] = Entry(outcome: outcome, until: until)
            }
            flight.outcome.withLock { $0 = outcome }
            flight.done.open()
            return outcome
        }
    }

    /// Until when an answer is trusted: nil for an outage, which says nothing about the token.
    private func lifetime(of outcome: Outcome, now: Date) -> Date? {
        switch outcome {
        case .success(let authorization): return min(now.addingTimeInterval(cacheSeconds), authorization.expires)
        case .failure(.discordUnavailable), .failure(.notConfigured): return nil
        case .failure: return now.addingTimeInterval(min(cacheSeconds, Self.refusalSeconds))
        }
    }

    private static func verificationError(_ error: DiscordError) -> TokenVerificationError {
        if case .api(let status, _, _) = error, status == 401 || status == 403 { return .refusedByDiscord }
        return .discordUnavailable(error.description)
    }
}
