#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A TCP socket for an address of 127.0.0.1, closed with the value.
struct LoopbackSocket: ~Copyable {
    let descriptor: Int32

    init?() {
        #if canImport(Glibc)
            let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        #else
            let type = SOCK_STREAM | SOCK_CLOEXEC
        #endif
        descriptor = socket(AF_INET, type, 0)
        guard descriptor >= 0 else { return nil }
    }

    deinit { close(descriptor) }

    func setOption(_ option: Int32, _ value: some BitwiseCopyable) {
        var value = value
        setsockopt(descriptor, SOL_SOCKET, option, &value, socklen_t(MemoryLayout.size(ofValue: value)))
    }

    /// Binds 127.0.0.1:port.
    func bindAddress(port: Int) -> Bool {
        withAddress(port: port) { bind(descriptor, $0, $1) == 0 }
    }

    /// Connects to 127.0.0.1:port.
    func connectAddress(port: Int) -> Bool {
        withAddress(port: port) { connect(descriptor, $0, $1) == 0 }
    }

    private func withAddress(port: Int, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Bool) -> Bool {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(0x7f00_0001).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }
}
