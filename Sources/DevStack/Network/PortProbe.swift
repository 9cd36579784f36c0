#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Which TCP ports of 127.0.0.1 nginx can have. A port is free when it can be bound the way nginx binds it (with
/// SO_REUSEADDR): a listener on the port, on 127.0.0.1 or on every address, is in the way; connections that are
/// closing (TIME_WAIT) are not.
enum PortProbe {
    /// Where free ports are looked for: below Linux's ephemeral range, so that no outgoing connection takes one
    /// between the probe and nginx binding it.
    static let candidates = 20000..<32000

    static func isFree(_ port: Int) -> Bool {
        guard let socket = LoopbackSocket() else { return false }
        socket.setOption(SO_REUSEADDR, Int32(1))
        return socket.bindAddress(port: port)
    }

    /// A free port picked at random among the candidates.
    static func freePort() throws(StackError) -> Int {
        for _ in 0..<200 {
            let port = Int.random(in: candidates)
            if isFree(port) { return port }
        }
        throw StackError("no free TCP port found between \(candidates.lowerBound) and \(candidates.upperBound - 1)")
    }
}
