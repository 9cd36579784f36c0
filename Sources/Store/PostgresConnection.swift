import CLibPQ
import Foundation
import Logging

/// One libpq connection. Not thread-safe: each worker thread owns its own.
public final class PostgresConnection {
    private var connection: OpaquePointer?
    private let url: String
    /// Channels this connection LISTENs on, subscribed again whenever it reconnects.
    private var listenChannels: [String] = []

    /// A connection to `url` (a libpq connection string or URI), opened on first use, in the UTC time zone.
    public init(url: String) {
        self.url = url
    }

    /// Opens the connection now, so that a bad `DATABASE_URL` is reported at start-up.
    public func connect() throws(StoreError) {
        try ensureConnected()
    }

    deinit {
        PQfinish(connection)
    }

    private static func open(_ url: String) throws(StoreError) -> OpaquePointer {
        guard let connection = PQconnectdb(url) else {
            throw .connectionFailed("out of memory")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let reason = String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQfinish(connection)
            throw .connectionFailed(reason)
        }
        let setup = PQexec(connection, "SET TIME ZONE 'UTC'")
        PQclear(setup)
        return connection
    }

    /// Opens the connection, or re-opens it when the server went away (restart, idle timeout).
    func ensureConnected() throws(StoreError) {
        if let connection, PQstatus(connection) == CONNECTION_OK { return }
        PQfinish(connection)
        connection = nil
        let opened = try Self.open(url)
        connection = opened
        for channel in listenChannels {
            let result = PQexec(opened, "LISTEN \(channel)")
            defer { PQclear(result) }
            guard PQresultStatus(result) == PGRES_COMMAND_OK else { throw Self.error(from: result, connection: opened) }
        }
    }

    /// Subscribes to NOTIFY on `channel` (a plain identifier), now and after every reconnect.
    public func listen(_ channel: String) throws(StoreError) {
        precondition(channel.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }, "channel names are identifiers")
        guard !listenChannels.contains(channel) else { return try ensureConnected() }
        listenChannels.append(channel)
        PQfinish(connection)
        connection = nil
        try ensureConnected()
    }

    /// Waits up to `timeout` for notifications on the LISTENed channels and returns their payloads
    /// (empty on timeout). Throws when the connection is lost; the next call reconnects.
    public func waitForNotifications(timeout: Duration) throws(StoreError) -> [String] {
        try ensureConnected()
        let pending = drainNotifications()
        guard pending.isEmpty else { return pending }
        var descriptor = pollfd(fd: PQsocket(connection), events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        guard poll(&descriptor, 1, milliseconds) > 0 else { return [] }
        guard PQconsumeInput(connection) == 1 else {
            let reason = String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQfinish(connection)
            connection = nil
            throw .connectionFailed(reason)
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
        try ensureConnected()
        let texts = parameters.map(\.sqlText)
        var cStrings: [UnsafeMutablePointer<CChar>?] = texts.map { $0.flatMap { strdup($0) } }
        defer { cStrings.forEach { free($0) } }
        let result = cStrings.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { values in
                PQexecParams(connection, sql, Int32(texts.count), nil, values.baseAddress, nil, nil, 0)
            }
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK:
            return QueryResult(result)
        default:
            throw Self.error(from: result, connection: connection)
        }
    }

    /// Runs a script of statements without parameters (migrations).
    public func execute(script: String) throws(StoreError) {
        try ensureConnected()
        let result = PQexec(connection, script)
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return
        default:
            throw Self.error(from: result, connection: connection)
        }
    }

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

    private static func error(from result: OpaquePointer?, connection: OpaquePointer?) -> StoreError {
        func field(_ code: Int32) -> String? {
            guard let result, let value = PQresultErrorField(result, code) else { return nil }
            return String(cString: value)
        }
        let sqlState = field(Int32(UInt8(ascii: "C"))) ?? "08000"
        let message = field(Int32(UInt8(ascii: "M")))
            ?? String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
        return .queryFailed(sqlState: sqlState, message: message)
    }
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
