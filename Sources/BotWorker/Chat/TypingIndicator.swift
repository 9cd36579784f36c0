import DiscordKit
import Logging
import ProcessSupport
import Synchronization

/// "Typing…" in the channels where a reply is being worked on: sent when the work starts and every 8 s
/// after (Discord shows it for 10 s), from a thread and REST client of its own so a slow answer from
/// Discord never delays the work itself.
final class TypingIndicator: Sendable {
    static let refreshInterval = Duration.seconds(8)

    /// The channels typed in, with how many pieces of work type there.
    private let active = Mutex<[String: Int]>([:])
    private let queue: WorkQueue<DiscordClient>
    private let logger: Logger
    private let refresher = Mutex<Task<Void, Never>?>(nil)

    init(discord: @escaping @Sendable () -> DiscordClient, logger: Logger) {
        queue = WorkQueue(name: "bot-typing") { _ in discord() }
        self.logger = logger
    }

    func start() {
        let task = Task { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.refreshInterval)
                for channelID in active.withLock({ Array($0.keys) }) { send(channelID) }
            }
        }
        refresher.withLock { $0 = task }
    }

    func stop() {
        refresher.withLock { $0?.cancel() }
        queue.close()
    }

    /// Runs `work` with "typing…" shown in `channelID` meanwhile.
    func during<T>(channelID: String, _ work: () throws -> T) throws -> T {
        let first = active.withLock { typing in
            typing[channelID, default: 0] += 1
            return typing[channelID] == 1
        }
        if first { send(channelID) }
        defer {
            active.withLock { typing in
                typing[channelID] = typing[channelID].flatMap { $0 > 1 ? $0 - 1 : nil }
            }
        }
        return try work()
    }

    private func send(_ channelID: String) {
        queue.submit { [logger] discord in
            do {
                try discord.triggerTyping(channelID: channelID)
            } catch {
                logger.debug("typing indicator refused", metadata: ["channel_id": "\(channelID)", "error": "\(error)"])
            }
        }
    }
}
