import JSONSupport

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What an access token is (docs: `topics/oauth2` "Get Current Authorization Information",
/// `GET /oauth2/@me`): the application it was issued to, its scopes, when it expires and, with `identify`,
/// the user who authorized it.
public struct OAuthAuthorization: Sendable, Equatable {
    /// The id of the application the token was issued to.
    public var applicationID: String
    public var scopes: [String]
    /// When the access token expires.
    public var expires: Date
    /// The user who authorized the application; nil without the `identify` scope.
    public var user: DiscordUser?

    public init(applicationID: String, scopes: [String], expires: Date, user: DiscordUser?) {
        self.applicationID = applicationID
        self.scopes = scopes
        self.expires = expires
        self.user = user
    }

    /// Reads the response body; nil when it lacks the application's id, the scopes or a valid `expires`.
    init?(_ json: JSON) {
        guard let applicationID = json["application"]?["id"]?.string, !applicationID.isEmpty,
            let scopes = json["scopes"]?.array?.compactMap(\.string),
            let expires = json["expires"]?.string.flatMap(ISO8601Timestamp.parse)
        else { return nil }
        self.applicationID = applicationID
        self.scopes = scopes
        self.expires = expires
        user = json["user"].flatMap { user in
            guard user != .null, user["id"]?.string?.isEmpty == false else { return nil }
            return try? user.decoded(as: DiscordUser.self)
        }
    }
}

extension DiscordClient {
    /// What `accessToken` is: `GET /oauth2/@me` with `Bearer`. A token Discord refuses (expired,
    /// revoked, never issued) is `.api(status: 401, …)`.
    public func currentAuthorization(accessToken: String) throws(DiscordError) -> OAuthAuthorization {
        let response = try send(Route(.get, "/oauth2/@me"), authorization: .bearer(accessToken))
        guard let authorization = OAuthAuthorization(try json(response)) else {
            throw .invalidResponse(status: response.status, reason: "not an authorization (application, scopes, expires)")
        }
        return authorization
    }
}
