import CLibPQ
import Foundation
import Logging

/// One libpq connection. Not thread-safe: each worker thread owns its own.
///
/// Nothing here blocks inside libpq: connecting (`PQconnectStartParams`/`PQconnectPoll`), statements
/// (`PQsendQueryParams` on a non-blocking connection) and notifications all wait in `poll()` on the
/// connection's socket. So connecting gives up after `connect_timeout` (10 s unless `DATABASE_URL` says
/// otherwise), and a connection made with an `interrupt` gives up on whatever it waits for within 100 ms
/// of the interrupt saying so, however dead or paused the server is.
public final class PostgresConnection {
    /// Asked while waiting on the server: true abandons the call with ``StoreError/interrupted``.
    public typealias Interrupt = @Sendable () -> Bool

    /// Seconds to wait for a connection when `DATABASE_URL` sets no `connect_timeout` (libpq waits forever).
    static let defaultConnectTimeout = 10
    /// How often a wait looks at its interrupt.
    static let interruptCheck = Duration.milliseconds(100)
    static let noticeLogger = Logger(label: "postgres")

    private var connection: OpaquePointer?
    private let url: String
    private let interrupt: Interrupt?
    private let health: DatabaseHealth?
    private let answerTimeout: Duration?
    private let notices = Notices()
    /// Channels this connection LISTENs on, subscribed again whenever it reconnects.
    private var listenChannels: [String] = []

    /// A connection to `url` (a libpq connection string or URI), opened on first use, in the UTC time zone.
    /// - Parameters:
    ///   - health: told whenever this connection reaches PostgreSQL or finds it unreachable.
    ///   - answerTimeout: how long a statement waits for the server's answer before the connection is taken
    ///     for lost (a server paused, or a network path cut); nil waits for as long as it takes.
    public init(url: String, interrupt: Interrupt? = nil, health: DatabaseHealth? = nil, answerTimeout: Duration? = nil) {
        self.url = url
        self.interrupt = interrupt
        self.health = health
        self.answerTimeout = answerTimeout
    }

    /// Opens the connection now, so that a bad `DATABASE_URL` is reported at start-up.
    public func connect() throws(StoreError) {
        try ensureConnected()
    }

    deinit {
        PQfinish(connection)
    }

    /// Opens the connection, or re-opens it when the server went away (restart, idle timeout), unless that
    /// happened in the middle of a transaction: its next statement must fail rather than run on its own.
    func ensureConnected(until deadline: ContinuousClock.Instant? = nil) throws(StoreError) {
        if let connection, PQstatus(connection) == CONNECTION_OK {
            let inTransaction = PQtransactionStatus(connection) != PQTRANS_IDLE
            guard endedWhileIdle(connection) else { return }
            if inTransaction {
                let lost = StoreError.connectionLost("the server ended it in the middle of a transaction")
                lose(lost)
                throw lost
            }
        }
        disconnect()
        let opened: OpaquePointer
        do {
            opened = try open(until: deadline)
        } catch {
            if error != .interrupted { health?.unreachable() }
            throw error
        }
        connection = opened
        notices.follow(opened)
        do {
            try run(opened, until: deadline) { PQsendQuery($0, "SET TIME ZONE 'UTC'") }
            for channel in listenChannels {
                try run(opened, until: deadline) { PQsendQuery($0, "LISTEN \(channel)") }
            }
        } catch {
            disconnect()
            throw error
        }
        health?.reached()
    }

    /// Starts a connection and drives it to the end of the handshake, within `connect_timeout` and by `limit`.
    private func open(until limit: ContinuousClock.Instant?) throws(StoreError) -> OpaquePointer {
        // Ours first: `dbname` (the URL, expanded) comes last, so what DATABASE_URL sets wins.
        let keywords = ["connect_timeout", "dbname"]
        let values = [String(Self.defaultConnectTimeout), url]
        let started = withCStrings(keywords) { keywords in
            withCStrings(values) { values in PQconnectStartParams(keywords, values, 1) }
        }
        guard let started else { throw .connectionFailed("out of memory") }
        // The server's notices and warnings (`relation … already exists, skipping`) go to the log like every
        // other line, one JSON object with LOG_FORMAT=json, not to stderr as libpq writes them by default.
        PQsetNoticeProcessor(
            started,
            { _, message in
                guard let message else { return }
                PostgresConnection.noticeLogger.notice("\(String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines))")
            }, nil)
        let timeout = Self.connectTimeout(of: started)
        let deadline = [timeout.map { ContinuousClock.now + $0 }, limit].compactMap { $0 }.min()
        var state = PGRES_POLLING_WRITING
        do throws(StoreError) {
            while state != PGRES_POLLING_OK {
                guard PQstatus(started) != CONNECTION_BAD, state != PGRES_POLLING_FAILED else {
                    throw .connectionFailed(Self.message(of: started))
                }
                let events = state == PGRES_POLLING_READING ? POLLIN : POLLOUT
                guard try awaitSocket(of: started, events: Int16(events), until: deadline) else {
                    throw .connectionFailed(
                        deadline == limit ? "no answer in time" : "no answer within \(timeout?.components.seconds ?? 0) s (connect_timeout)"
                    )
                }
                state = PQconnectPoll(started)
            }
            guard PQsetnonblocking(started, 1) == 0 else { throw .connectionFailed(Self.message(of: started)) }
        } catch {
            PQfinish(started)
            throw error
        }
        return started
    }

    /// Whether the server ended the connection while it was idle (a restart's FATAL 57P01, then the end of the
    /// stream): its socket is readable and what it holds is a FATAL error or the end. Asked before each statement
    /// (a `poll()` that does not wait), so that a statement goes to a new connection rather than fail on a dead
    /// one. libpq takes an idle connection's FATAL error for a notice when it parses what it read (`PQisBusy`
    /// does, and leaves notifications queued): ``Notices`` tells it apart.
    private func endedWhileIdle(_ connection: OpaquePointer) -> Bool {
        var descriptor = pollfd(fd: PQsocket(connection), events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 0) > 0 else { return false }
        guard PQconsumeInput(connection) == 1 else { return true }
        _ = PQisBusy(connection)
        return PQstatus(connection) != CONNECTION_OK || notices.endedSession
    }

    /// The connection's `connect_timeout` (libpq counts at least 2 s); nil when it is 0: no limit.
    private static func connectTimeout(of connection: OpaquePointer) -> Duration? {
        guard let options = PQconninfo(connection) else { return .seconds(defaultConnectTimeout) }
        defer { PQconninfoFree(options) }
        var option = options
        while let keyword = option.pointee.keyword {
            if String(cString: keyword) == "connect_timeout" {
                let seconds = option.pointee.val.flatMap { Int(String(cString: $0)) } ?? defaultConnectTimeout
                return seconds > 0 ? .seconds(max(seconds, 2)) : nil
            }
            option += 1
        }
        return .seconds(defaultConnectTimeout)
    }

    private func disconnect() {
        PQfinish(connection)
        connection = nil
    }

    /// Closes the connection after `error` ended a call on it; unless the process is stopping, the server is
    /// now known to be unreachable.
    private func lose(_ error: StoreError) {
        disconnect()
        if error != .interrupted { health?.unreachable() }
    }

    /// Whether PostgreSQL answers `SELECT 1` by `timeout` from now, connecting first if need be; a readiness
    /// probe. A connection that does not answer in time is closed (the next call opens a new one).
    public func ping(timeout: Duration) throws(StoreError) {
        let deadline = ContinuousClock.now + timeout
        try ensureConnected(until: deadline)
        guard let connection else { throw .connectionLost("no connection") }
        try run(connection, until: deadline) { PQsendQuery($0, "SELECT 1") }
    }

    /// Subscribes to NOTIFY on `channel` (a plain identifier), now and after every reconnect.
    public func listen(_ channel: String) throws(StoreError) {
        precondition(channel.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }, "channel names are identifiers")
        guard !listenChannels.contains(channel) else { return try ensureConnected() }
        listenChannels.append(channel)
        disconnect()
        try ensureConnected()
    }

    /// Waits up to `timeout` for notifications on the LISTENed channels and returns their payloads
    /// (empty on timeout). Throws when the connection is lost; the next call reconnects.
    public func waitForNotifications(timeout: Duration) throws(StoreError) -> [String] {
        try ensureConnected()
        guard let connection else { throw .connectionLost("no connection") }
        let pending = drainNotifications()
        guard pending.isEmpty else { return pending }
        do throws(StoreError) {
            guard try awaitSocket(of: connection, events: Int16(POLLIN), until: .now + timeout) else { return [] }
            guard PQconsumeInput(connection) == 1 else { throw .connectionLost(Self.message(of: connection)) }
        } catch {
            lose(error)
            throw error
        }
        return drainNotifications()
    }

    private func drainNotifications() -> [String] {
        var payloads: [String] = []
        while let notification = PQnotifies(connection) {
            payloads.append(String(cString: notification.pointee.extra))
            PQfreemem(notification)
        }
        return payloads
    }

    /// Runs one parameterized statement (`$1`, `$2`… placeholders) and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ parameters: [any SQLParameter] = []) throws(StoreError) -> QueryResult {
        try withParameters(parameters) { connection, count, values throws(StoreError) in
            try run(connection, until: answerDeadline) { PQsendQueryParams($0, sql, count, nil, values, nil, nil, 0) }
        }
    }

    /// Runs one parameterized statement and hands its rows to `read` in place, as libpq holds them: no
    /// copy per value (a large answer written straight from the rows, the roster). The rows are valid only
    /// during `read`.
    public func withRawRows<T>(_ sql: String, _ parameters: [any SQLParameter] = [], _ read: (RawQueryResult) -> T) throws(StoreError)
        -> T
    {
        try withParameters(parameters) { connection, count, values throws(StoreError) in
            try run(connection, until: answerDeadline, reading: { read(RawQueryResult($0)) }) {
                PQsendQueryParams($0, sql, count, nil, values, nil, nil, 0)
            }
        }
    }

    /// The open connection and `parameters` as the C strings `PQsendQueryParams` takes, for `body`.
    private func withParameters<T>(
        _ parameters: [any SQLParameter],
        _ body: (OpaquePointer, Int32, UnsafePointer<UnsafePointer<CChar>?>?) throws(StoreError) -> T
    ) throws(StoreError) -> T {
        try ensureConnected()
        guard let connection else { throw .connectionLost("no connection") }
        let texts = parameters.map(\.sqlText)
        var cStrings: [UnsafeMutablePointer<CChar>?] = texts.map { $0.flatMap { strdup($0) } }
        defer { cStrings.forEach { free($0) } }
        return try cStrings.withUnsafeMutableBufferPointer { buffer throws(StoreError) in
            try buffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { values throws(StoreError) in
                try body(connection, Int32(texts.count), values.baseAddress)
            }
        }
    }

    /// Runs a script of statements without parameters (migrations).
    public func execute(script: String) throws(StoreError) {
        try ensureConnected()
        guard let connection else { throw .connectionLost("no connection") }
        try run(connection, until: answerDeadline) { PQsendQuery($0, script) }
    }

    /// When a statement sent now must have its answer by, if ever.
    private var answerDeadline: ContinuousClock.Instant? { answerTimeout.map { .now + $0 } }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    public func transaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try query("BEGIN")
        do {
            let value = try body(self)
            try query("COMMIT")
            return value
        } catch {
            _ = try? query("ROLLBACK")
            throw error
        }
    }

    /// Sends what `send` queues, waits for every result it produces and returns the last one's rows, or
    /// throws the first error (what `PQexec` does, without blocking inside libpq). A connection lost or
    /// interrupted on the way is closed; the next call opens a new one. A FATAL error that ends the
    /// connection (a fast shutdown's 57P01) counts as a lost connection, not as a failed statement.
    /// `deadline`, when given, bounds the wait for the answer.
    @discardableResult
    private func run(_ connection: OpaquePointer, until deadline: ContinuousClock.Instant? = nil, _ send: (OpaquePointer) -> Int32)
        throws(StoreError) -> QueryResult
    {
        try run(connection, until: deadline, reading: QueryResult.init, send)
    }

    /// `run`, reading the last result with `reading` before it is freed.
    private func run<T>(
        _ connection: OpaquePointer, until deadline: ContinuousClock.Instant? = nil, reading: (OpaquePointer?) -> T,
        _ send: (OpaquePointer) -> Int32
    ) throws(StoreError) -> T {
        var last: OpaquePointer?
        var failure: StoreError?
        defer { PQclear(last) }
        do throws(StoreError) {
            guard send(connection) == 1 else { throw .connectionLost(Self.message(of: connection)) }
            try flush(connection, until: deadline)
            while true {
                while PQisBusy(connection) == 1 {
                    guard try awaitSocket(of: connection, events: Int16(POLLIN), until: deadline) else {
                        throw .connectionLost("no answer in time")
                    }
                    guard PQconsumeInput(connection) == 1 else { throw .connectionLost(Self.message(of: connection)) }
                }
                guard let result = PQgetResult(connection) else { break }
                switch PQresultStatus(result) {
                case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
                    PQclear(last)
                    last = result
                default:
                    if failure == nil { failure = Self.error(from: result, connection: connection) }
                    PQclear(result)
                }
            }
            if let failure, PQstatus(connection) == CONNECTION_BAD { throw .connectionLost("\(failure)") }
        } catch {
            lose(error)
            throw error
        }
        if let failure { throw failure }
        return reading(last)
    }

    /// Sends what libpq holds in its output buffer (a non-blocking connection queues it there).
    private func flush(_ connection: OpaquePointer, until deadline: ContinuousClock.Instant?) throws(StoreError) {
        while true {
            switch PQflush(connection) {
            case 0:
                return
            case 1:
                guard try awaitSocket(of: connection, events: Int16(POLLIN | POLLOUT), until: deadline) else {
                    throw .connectionLost("no answer in time")
                }
                guard PQconsumeInput(connection) == 1 else { throw .connectionLost(Self.message(of: connection)) }
            default:
                throw .connectionLost(Self.message(of: connection))
            }
        }
    }

    /// Waits until the connection's socket is ready for `events` (true) or `deadline` passes (false),
    /// looking at the interrupt every ``interruptCheck``.
    private func awaitSocket(of connection: OpaquePointer, events: Int16, until deadline: ContinuousClock.Instant?) throws(StoreError)
        -> Bool
    {
        let socket = PQsocket(connection)
        guard socket >= 0 else { throw .connectionLost(Self.message(of: connection)) }
        while true {
            if let interrupt, interrupt() { throw .interrupted }
            var slice = interrupt == nil ? nil : Self.interruptCheck
            if let deadline {
                let remaining = deadline - .now
                guard remaining > .zero else { return false }
                slice = min(slice ?? remaining, remaining)
            }
            var descriptor = pollfd(fd: socket, events: events, revents: 0)
            let ready = poll(&descriptor, 1, slice.map(Self.milliseconds) ?? -1)
            if ready > 0 { return true }
            if ready < 0, errno != EINTR { throw .connectionLost("poll: \(String(cString: strerror(errno)))") }
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        return Int32(clamping: max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000))
    }

    /// libpq's last error on one line (its messages run over several, which would split a log line).
    private static func message(of connection: OpaquePointer?) -> String {
        String(cString: PQerrorMessage(connection)).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
    }

    private static func error(from result: OpaquePointer?, connection: OpaquePointer?) -> StoreError {
        func field(_ code: Int32) -> String? {
            guard let result, let value = PQresultErrorField(result, code) else { return nil }
            return String(cString: value)
        }
        let sqlState = field(Int32(UInt8(ascii: "C"))) ?? "08000"
        let message = field(Int32(UInt8(ascii: "M"))) ?? Self.message(of: connection)
        return .queryFailed(sqlState: sqlState, message: message)
    }
}

/// Watches the notices of a connection for a FATAL error, which libpq hands on as a notice when it comes while
/// the connection is idle (the server ends the session after it; the connection is replaced, so it is not
/// printed). Every other notice goes on to libpq's own receiver, which hands it to the connection's notice
/// processor (the log).
private final class Notices {
    private(set) var endedSession = false
    /// libpq's own receiver, which ignores its argument.
    private var previous: PQnoticeReceiver?

    /// Watches `connection`, newly opened, until it is closed (it must be before this object goes).
    func follow(_ connection: OpaquePointer) {
        endedSession = false
        previous = PQsetNoticeReceiver(connection, Self.receive, Unmanaged.passUnretained(self).toOpaque())
    }

    private static let receive: PQnoticeReceiver = { argument, result in
        guard let argument else { return }
        let notices = Unmanaged<Notices>.fromOpaque(argument).takeUnretainedValue()
        if let severity = PQresultErrorField(result, Int32(UInt8(ascii: "V"))), String(cString: severity) == "FATAL" {
            notices.endedSession = true
        } else {
            notices.previous?(nil, result)
        }
    }
}

/// `body` with `strings` as a NULL-terminated array of C strings.
private func withCStrings<T>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> T) -> T {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let pointers = copies.map { UnsafePointer($0) } + [nil]
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// The rows of a query, copied out of libpq in text format.
public struct QueryResult: Sendable {
    public let columns: [String]
    public let rows: [Row]
    /// Rows touched by an INSERT/UPDATE/DELETE.
    public let affectedRows: Int

    init(_ result: OpaquePointer?) {
        let columnCount = Int(PQnfields(result))
        let names = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        var index: [String: Int] = [:]
        for (position, name) in names.enumerated() where index[name] == nil { index[name] = position }
        let rowCount = Int(PQntuples(result))
        rows = (0..<rowCount).map { row in
            let values = (0..<columnCount).map { column -> String? in
                PQgetisnull(result, Int32(row), Int32(column)) == 1
                    ? nil : String(cString: PQgetvalue(result, Int32(row), Int32(column)))
            }
            return Row(values: values, index: index)
        }
        columns = names
        affectedRows = Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    public var first: Row? { rows.first }
}

/// One row; values are looked up by column name.
public struct Row: Sendable {
    let values: [String?]
    let index: [String: Int]

    /// A `bytea` column (hex output format), or nil when NULL or malformed.
    public func bytes(_ column: String) -> [UInt8]? {
        guard let text = self[column], text.hasPrefix("\\x"), text.utf8.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count / 2 - 1)
        var high: UInt8?
        for character in text.utf8.dropFirst(2) {
            guard let nibble = Self.hexValue(character) else { return nil }
            if let first = high {
                bytes.append(first << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return bytes
    }

    private static func hexValue(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return character - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    public subscript(_ column: String) -> String? {
        guard let position = index[column] else { return nil }
        return values[position]
    }

    public func string(_ column: String) throws(StoreError) -> String {
        guard let value = self[column] else { throw .unexpectedResult("column \(column) is null or missing") }
        return value
    }

    public func int(_ column: String) throws(StoreError) -> Int {
        guard let text = self[column], let value = Int(text) else {
            throw .unexpectedResult("column \(column) is not an integer")
        }
        return value
    }

    public func optionalInt(_ column: String) -> Int? {
        self[column].flatMap { Int($0) }
    }

    public func bool(_ column: String) -> Bool {
        self[column] == "t"
    }

    public func date(_ column: String) -> Date? {
        self[column].flatMap(PostgresTimestamp.parse)
    }
}
