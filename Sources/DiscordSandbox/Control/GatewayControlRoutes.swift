import JSONSupport

/// The control API of the gateway, under `/_sandbox`: settings, presences, and dispatches, drops, reconnects
/// and invalidations pushed to the connected sessions.
enum GatewayControlRoutes {
    static var routes: [Route] {
        [
            .control(.GET, "/gateway/config") { context in
                .json(context.state.withLock { $0.gateway.settings.json })
            },
            .control(.PUT, "/gateway/config") { context in
                let update = try context.decodeBody(GatewaySettingsUpdate.self)
                return .json(context.state.withLock { $0.gateway.updateSettings(update).json })
            },
            .control(.POST, "/gateway/presence", handler: setPresence),
            .control(.POST, "/gateway/presence-burst", handler: presenceBurst),
            .control(.POST, "/gateway/dispatch") { context in
                let body = try context.decodeBody(DispatchRequest.self)
                let event = GatewayEvent(body.name, body.data, isAboutGuild: false)
                let deliveries = context.state.withLock { $0.gateway.dispatch([event], now: .now) }
                return .json(["dispatched": .array(deliveries.map(\.json))])
            },
            .control(.POST, "/gateway/drop") { context in
                let code = context.request.body.readableBytes == 0 ? nil : try context.decodeBody(DropRequest.self).code
                let links = context.state.withLock { Array($0.gateway.links.values) }
                for link in links {
                    if let code {
                        link.close(code: code, reason: GatewayCloseCode(rawValue: code)?.reason ?? "")
                    } else {
                        link.drop()
                    }
                }
                context.logger.info(
                    "dropping gateway connections",
                    metadata: ["count": "\(links.count)", "code": "\(code.map(String.init) ?? "none")"]
                )
                return .json(["connections": .int(links.count)])
            },
            .control(.POST, "/gateway/reconnect") { context in
                let links = context.state.withLock { Array($0.gateway.links.values) }
                links.forEach { $0.reconnect() }
                return .json(["connections": .int(links.count)])
            },
            .control(.POST, "/gateway/invalidate") { context in
                let resumable =
                    context.request.body.readableBytes == 0
                    ? false : try context.decodeBody(InvalidateRequest.self).resumable
                let count = context.state.withLock { $0.gateway.invalidateSessions(resumable: resumable) }
                return .json(["sessions": .int(count)])
            },
            .control(.PUT, "/guild/outage") { context in
                let unavailable = try context.decodeBody(OutageRequest.self).unavailable
                let told = context.state.withLock { $0.gateway.setGuildUnavailable(unavailable, now: .now) }
                return .json(["unavailable": .bool(unavailable), "sessions": .int(told)])
            },
            .control(.POST, "/gateway/heartbeat-request") { context in
                .json(["connections": .int(context.state.withLock { $0.gateway.requestHeartbeats(now: .now) })])
            },
            .control(.GET, "/gateway/sessions") { context in
                .json(
                    context.state.withLock { parts in
                        parts.gateway.pruneExpiredSessions(now: .now)
                        return sessionsJSON(parts.gateway)
                    })
            },
            .control(.GET, "/gateway/member-requests") { context in
                .json(.array(context.state.withLock { $0.gateway.memberRequests.records.map(\.json) }))
            },
        ]
    }

    /// `{"user_id", "status", "activities"?, "client_status"?}`: without `activities` the member keeps its
    /// own; without `client_status` it is on desktop (or nowhere, when offline).
    @Sendable
    static func setPresence(_ context: RequestContext) async throws -> SandboxResponse {
        let request = try context.decodeBody(PresenceRequest.self)
        let deliveries = try context.state.withLock { parts throws(HTTPError) in
            guard let member = parts.gateway.guild.member(id: request.userID) else {
                throw HTTPError.unknownMember(request.userID)
            }
            let presence = MemberPresence(
                status: request.status,
                activities: request.activities ?? member.presence.activities,
                clientStatus: request.clientStatus
            )
            return parts.gateway.setPresence(presence, of: request.userID, now: .now) ?? []
        }
        return .json(["dispatched": .array(deliveries.map(\.json))])
    }

    /// `{"count": N, "statuses": [...]}`: see `PresenceBurst`. Answers once all frames are queued.
    @Sendable
    static func presenceBurst(_ context: RequestContext) async throws -> SandboxResponse {
        let request = try context.decodeBody(BurstRequest.self)
        let (members, guildID) = context.state.withLock { parts in
            (parts.gateway.guild.members.filter { $0.id != parts.gateway.guild.botID }, parts.gateway.guild.id)
        }
        guard !members.isEmpty else {
            throw HTTPError.control("the guild has no members but the bot; add some with POST /_sandbox/guild/members")
        }
        var burst = PresenceBurst(count: request.count, statuses: request.statuses, members: members, guildID: guildID)
        var deliveries: [GatewayState.Delivery] = []
        var lastStatus: [String: MemberPresence.Status] = [:]
        while let slice = burst.nextSlice() {
            deliveries = context.state.withLock { $0.gateway.dispatch(slice, now: .now) }
            lastStatus.merge(slice.presences.mapValues(\.status)) { _, newer in newer }
        }
        context.logger.info("presence burst", metadata: ["count": "\(request.count)", "sessions": "\(deliveries.count)"])
        return .json([
            "sent": .int(request.count),
            "dispatched": .array(deliveries.map(\.json)),
            "last_status": .object(
                members.compactMap { member in
                    lastStatus[member.id].map { (member.id, .string($0.rawValue)) }
                }
            ),
        ])
    }

    private static func sessionsJSON(_ gateway: GatewayState) -> JSON {
        let sessions = gateway.sessions.values.sorted { $0.serial < $1.serial }.map { session -> JSON in
            var fields: [(String, JSON)] = [
                ("session_id", .string(session.id)),
                ("connected", .bool(session.linkID != nil)),
                ("seq", .int(session.sequence)),
                ("intents", .int(session.intents.rawValue)),
                ("resumed", .int(session.resumes)),
            ]
            if let shard = session.shard { fields.append(("shard", shard.json)) }
            return .object(fields)
        }
        let opened = GatewayLink.Endpoint.allCases.map { endpoint in
            (endpoint.rawValue, JSON.int(gateway.connectionsOpened[endpoint, default: 0]))
        }
        return [
            "identifies": .int(gateway.identifies),
            "identifies_refused": .int(gateway.identifiesRefused),
            "resumes": .int(gateway.resumes),
            "connections": .int(gateway.links.count),
            "connections_opened": .object(opened),
            "guild_unavailable": .bool(gateway.guildUnavailable),
            "heartbeat_requests": .int(gateway.heartbeatRequests),
            "heartbeat_answers": .int(gateway.heartbeatAnswers),
            "sessions": .array(sessions),
        ]
    }
}

// MARK: - Request bodies

private struct PresenceRequest: Decodable {
    let userID: String
    let status: MemberPresence.Status
    let activities: JSON?
    let clientStatus: JSON?

    private enum CodingKeys: String, CodingKey {
        case status, activities
        case userID = "user_id"
        case clientStatus = "client_status"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        userID = try container.decode(String.self, forKey: .userID)
        status = try container.decode(MemberPresence.Status.self, forKey: .status)
        activities = try container.decodeIfPresent(JSON.self, forKey: .activities)
        if let activities {
            guard case .array = activities else {
                throw DecodingError.dataCorruptedError(forKey: .activities, in: container, debugDescription: "must be an array")
            }
        }
        clientStatus = try container.decodeIfPresent(JSON.self, forKey: .clientStatus)
        if let clientStatus {
            guard case .object = clientStatus else {
                throw DecodingError.dataCorruptedError(forKey: .clientStatus, in: container, debugDescription: "must be an object")
            }
        }
    }
}

private struct BurstRequest: Decodable {
    let count: Int
    let statuses: [MemberPresence.Status]

    private enum CodingKeys: String, CodingKey {
        case count, statuses
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        count = try container.decode(Int.self, forKey: .count)
        guard (1...1_000_000).contains(count) else {
            throw DecodingError.dataCorruptedError(forKey: .count, in: container, debugDescription: "must be 1...1000000")
        }
        statuses =
            try container.decodeIfPresent([MemberPresence.Status].self, forKey: .statuses)
            ?? MemberPresence.Status.allCases
        guard !statuses.isEmpty else {
            throw DecodingError.dataCorruptedError(forKey: .statuses, in: container, debugDescription: "must not be empty")
        }
    }
}

/// `{"t": "EVENT_NAME", "d": ...}`.
private struct DispatchRequest: Decodable {
    let name: String
    let data: JSON

    private enum CodingKeys: String, CodingKey {
        case name = "t"
        case data = "d"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        guard !name.isEmpty else {
            throw DecodingError.dataCorruptedError(forKey: .name, in: container, debugDescription: "must not be empty")
        }
        data = try container.decodeIfPresent(JSON.self, forKey: .data) ?? .null
    }
}

/// `{"code": 4000}` to close with that code; `{"code": null}` to drop the TCP connection.
private struct DropRequest: Decodable {
    let code: UInt16?

    private enum CodingKeys: String, CodingKey {
        case code
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = try container.decodeIfPresent(UInt16.self, forKey: .code)
        if let code, !(1000...4999).contains(code) {
            throw DecodingError.dataCorruptedError(forKey: .code, in: container, debugDescription: "must be 1000...4999")
        }
    }
}

private struct InvalidateRequest: Decodable {
    let resumable: Bool
}

/// `{"unavailable": true}` starts an outage of the guild, `false` ends it.
private struct OutageRequest: Decodable {
    let unavailable: Bool
}
