import CFastCGI
import Foundation

enum ListenerError: Error, CustomStringConvertible {
    case cannotListen(String, reason: String)
    case unknownGroup(String)

    var description: String {
        switch self {
        case .cannotListen(let address, let reason): return "cannot listen on \(address): \(reason)"
        case .unknownGroup(let group): return "--socket-group \(group): no such group"
        }
    }
}

/// The listening socket nginx connects to. A unix socket is private by default: mode 0660 in a
/// 0750 directory, group `socketGroup` (nginx's worker group) when given.
struct FastCGIListener {
    let descriptor: Int32
    let address: String

    init(address: String, socketGroup: String?) throws(ListenerError) {
        self.address = address
        let isUnixSocket = address.hasPrefix("/") || address.hasPrefix(".")
        let groupID = try socketGroup.map { name throws(ListenerError) -> gid_t in
            guard let group = getgrnam(name) else { throw .unknownGroup(name) }
            return group.pointee.gr_gid
        }
        if isUnixSocket {
            let directory = (address as NSString).deletingLastPathComponent
            if !FileManager.default.fileExists(atPath: directory) {
                guard mkdir(directory, 0o750) == 0 else {
                    throw .cannotListen(address, reason: "cannot create \(directory): \(String(cString: strerror(errno)))")
                }
                if let groupID { chown(directory, getuid(), groupID) }
            }
        }
        let previousMask = umask(0o117)
        descriptor = FCGX_OpenSocket(address, 1024)
        umask(previousMask)
        guard descriptor >= 0 else { throw .cannotListen(address, reason: String(cString: strerror(errno))) }
        if isUnixSocket {
            if let groupID, chown(address, getuid(), groupID) != 0 {
                throw .cannotListen(
                    address, reason: "cannot give the socket to group \(socketGroup ?? ""): \(String(cString: strerror(errno)))")
            }
            chmod(address, 0o660)
        }
    }

    /// Wakes every thread blocked in `accept` on this socket, so that shutdown does not wait for traffic.
    func stopAccepting() {
        shutdown(descriptor, Int32(SHUT_RDWR))
    }
}
