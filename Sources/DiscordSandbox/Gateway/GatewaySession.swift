import JSONSupport
import NIOCore

/// `[shard_id, num_shards]` from IDENTIFY.
struct GatewayShard: Sendable {
    let id: Int
    let count: Int

    /// A guild belongs to shard `(guild_id >> 22) % num_shards` (docs: `events/gateway` "Sharding").
    func holds(guildID: String) -> Bool {
        guard let snowflake = UInt64(guildID) else { return false }
        return Int((snowflake >> 22) % UInt64(count)) == id
    }

    var json: JSON { [.int(id), .int(count)] }
}

/// One gateway session: what it identified with, its sequence number, and the dispatches a RESUME replays.
/// It outlives its connection for the resume window unless the client closed with 1000/1001.
struct GatewaySession: Sendable {
    /// Older dispatches are forgotten; a RESUME from before them gets INVALID SESSION.
    static let replayCapacity = 100_000

    let id: String
    /// Sessions are numbered in the order they were identified.
    let serial: Int
    let intents: GatewayIntents
    /// IDENTIFY's `large_threshold`: a GUILD_CREATE sent later (after an outage) is cut the same way.
    let largeThreshold: Int
    let shard: GatewayShard?
    /// Whether the sandbox guild is on this session's shard.
    let holdsGuild: Bool
    /// The connection the session is live on; `nil` while it waits to be resumed.
    var linkID: Int?
    /// Set while disconnected: after this the session can no longer be resumed.
    var resumableUntil: ContinuousClock.Instant?
    var resumes = 0
    /// The `s` of the last dispatch.
    private(set) var sequence = 0
    private var replay = CircularBuffer<ByteBuffer>()

    init(serial: Int, intents: GatewayIntents, largeThreshold: Int, shard: GatewayShard?, holdsGuild: Bool, linkID: Int) {
        id = Self.makeID()
        self.serial = serial
        self.intents = intents
        self.largeThreshold = largeThreshold
        self.shard = shard
        self.holdsGuild = holdsGuild
        self.linkID = linkID
    }

    func accepts(_ event: GatewayEvent) -> Bool {
        intents.contains(event.requiredIntent) && intents.isDisjoint(with: event.excludedIntent)
            && (holdsGuild || !event.isAboutGuild)
            && (!event.isDirect || (shard?.id ?? 0) == 0)
    }

    /// Gives the event the next sequence number and keeps it for replay; returns the frame to send.
    mutating func record(_ event: GatewayEvent) -> ByteBuffer {
        sequence += 1
        let frame = event.frame(sequence: sequence)
        if replay.count == Self.replayCapacity { replay.removeFirst() }
        replay.append(frame)
        return frame
    }

    /// Records the events in order; returns their frames.
    mutating func record(_ events: [GatewayEvent]) -> [ByteBuffer] {
        events.map { record($0) }
    }

    /// Records the events this session may receive; returns their frames.
    mutating func recordAccepted(_ events: [GatewayEvent]) -> [ByteBuffer] {
        var frames: [ByteBuffer] = []
        for event in events where accepts(event) {
            frames.append(record(event))
        }
        return frames
    }

    /// The dispatches after `sequence`, oldest first; `nil` when some of them are no longer kept.
    func replay(after sequence: Int) -> [ByteBuffer]? {
        let missed = self.sequence - sequence
        guard missed <= replay.count else { return nil }
        return Array(replay[replay.index(replay.endIndex, offsetBy: -missed)...])
    }

    /// 32 hex digits, like Discord's session ids.
    private static func makeID() -> String {
        var generator = SystemRandomNumberGenerator()
        let hex = Array("0123456789abcdef")
        return String((0..<32).map { _ in hex[Int(generator.next() % 16)] })
    }
}
