import Foundation
import Synchronization

/// A loopback TCP listener a test puts between a GuildGate process and a server (PostgreSQL, the
/// gateway), to make that server go away in the ways real ones do. It counts the connections it accepts.
public final class TCPProxy: Sendable {
    public enum Target: Sendable {
        /// Nothing behind: a connection in `.forward` mode is reset at once.
        case none
        case unix(path: String)
    }

    public enum Mode: Sendable {
        /// Connections reach the target.
        case forward
        /// Every connection, open or new, goes silent: accepted, never answered, what is sent left unread
        /// (a paused server, a cut network path).
        case stall
        /// Connections, open or new, are reset (a server that went away).
        case reset
    }

    private struct State {
        var mode = Mode.forward
        var accepted = 0
        var closed = false
        /// Stalled connections, held open until `close()`.
        var held: [Int32] = []
    }

    public let port: UInt16
    private let listener: Int32
    private let target: Target
    private let state = Mutex(State())

    public init(target: Target) throws {
        self.target = target
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard listener >= 0, bound == 0, listen(listener, 64) == 0 else {
            throw TestStack.StackError(description: "TCPProxy: cannot listen on 127.0.0.1: \(String(cString: strerror(errno)))")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.listener = listener
        port = UInt16(bigEndian: address.sin_port)
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// A proxy to the PostgreSQL of `databaseURL` (on a Unix socket, as the test stack's is) and the URL of the
    /// same database through it.
    public static func postgres(_ databaseURL: String) throws -> (proxy: TCPProxy, url: String) {
        let components = URLComponents(string: databaseURL)
        let query = Dictionary((components?.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
        guard let host = query["host"], let port = query["port"], let database = components?.path, !database.isEmpty else {
            throw TestStack.StackError(description: "TCPProxy: \(databaseURL) names no socket directory, port or database")
        }
        let proxy = try TCPProxy(target: .unix(path: "\(host)/.s.PGSQL.\(port)"))
        return (proxy, "postgresql://\(query["user"] ?? "postgres")@127.0.0.1:\(proxy.port)\(database)?sslmode=disable")
    }

    public var accepted: Int { state.withLock { $0.accepted } }

    public func set(_ mode: Mode) {
        state.withLock { $0.mode = mode }
    }

    /// Stops listening and closes every connection (the threads notice within 100 ms).
    public func close() {
        let held = state.withLock { state in
            state.closed = true
            defer { state.held.removeAll() }
            return state.held
        }
        held.forEach { Self.reset($0) }
    }

    private var mode: Mode? { state.withLock { $0.closed ? nil : $0.mode } }

    private func acceptLoop() {
        defer { Glibc.close(listener) }
        while mode != nil {
            var descriptor = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 100) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            state.withLock { $0.accepted += 1 }
            switch mode {
            case .forward?:
                guard let upstream = connectTarget() else {
                    Self.reset(client)
                    continue
                }
                Thread.detachNewThread { [self] in pump(client, upstream) }
            case .stall?:
                state.withLock { $0.held.append(client) }
            case .reset?, nil:
                Self.reset(client)
            }
        }
    }

    private func connectTarget() -> Int32? {
        switch target {
        case .none:
            return nil
        case .unix(let path):
            let upstream = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { buffer in
                for (index, byte) in path.utf8.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
            }
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard connected == 0 else { Glibc.close(upstream); return nil }
            return upstream
        }
    }

    /// Copies bytes both ways while forwarding; holds still while stalled; resets both ends otherwise.
    private func pump(_ client: Int32, _ upstream: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        loop: while true {
            switch mode {
            case .forward?:
                var descriptors = [
                    pollfd(fd: client, events: Int16(POLLIN), revents: 0), pollfd(fd: upstream, events: Int16(POLLIN), revents: 0),
                ]
                guard poll(&descriptors, 2, 100) > 0 else { continue }
                for (from, to) in [(0, 1), (1, 0)] where descriptors[from].revents != 0 {
                    let count = read(descriptors[from].fd, &buffer, buffer.count)
                    guard count > 0, Self.writeAll(descriptors[to].fd, buffer, count) else { break loop }
                }
            case .stall?:
                usleep(50_000)
            case .reset?, nil:
                break loop
            }
        }
        Self.reset(client)
        Self.reset(upstream)
    }

    private static func writeAll(_ descriptor: Int32, _ buffer: [UInt8], _ count: Int) -> Bool {
        var written = 0
        while written < count {
            let result = buffer.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, count - written) }
            guard result > 0 else { return false }
            written += result
        }
        return true
    }

    /// Closes with RST rather than FIN, as a crashed server's kernel does.
    private static func reset(_ descriptor: Int32) {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        Glibc.close(descriptor)
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
