import JSONSupport

/// Bearer tokens for tests without the browser flow: a grant issued directly to any user, and revocation.
enum OAuthTokenControlRoutes {
    static var routes: [Route] {
        [
            .control(.POST, "/oauth/tokens") { context in
                let request = try context.decodeBody(TokenRequest.self)
                let user = SandboxUser(id: request.userID, username: request.username, globalName: nil)
                let grant = context.state.withLock { $0.oauth.issueGrant(user: user, scopes: request.scopes, now: .now) }
                context.logger.info("OAuth grant issued", metadata: ["user_id": "\(user.id)", "scope": "\(grant.scope)"])
                return .json([
                    "access_token": .string(grant.accessToken),
                    "refresh_token": .string(grant.refreshToken),
                    "scope": .string(grant.scope),
                ])
            },
            .control(.POST, "/oauth/tokens/revoke") { context in
                let token = try context.decodeBody(RevokeRequest.self).accessToken
                let known = context.state.withLock { $0.oauth.revoke(token: token) }
                return known ? .json(["ok": true]) : .json(["error": "no such token"], status: .notFound)
            },
        ]
    }
}

// MARK: - Request bodies

/// `{"user_id", "username", "scopes"?}`; scopes default to `["identify"]`.
private struct TokenRequest: Decodable {
    let userID: String
    let username: String
    let scopes: [String]

    private enum CodingKeys: String, CodingKey {
        case username, scopes
        case userID = "user_id"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        userID = try container.decode(String.self, forKey: .userID)
        guard Snowflake.value(userID) != nil else {
            throw DecodingError.dataCorruptedError(forKey: .userID, in: container, debugDescription: "must be a snowflake")
        }
        username = try container.decode(String.self, forKey: .username)
        scopes = try container.decodeIfPresent([String].self, forKey: .scopes) ?? ["identify"]
        guard !scopes.isEmpty else {
            throw DecodingError.dataCorruptedError(forKey: .scopes, in: container, debugDescription: "must name a scope")
        }
    }
}

private struct RevokeRequest: Decodable {
    let accessToken: String

    private enum CodingKeys: String, CodingKey { case accessToken = "access_token" }
}
