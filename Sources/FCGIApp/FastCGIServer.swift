import CFastCGI
import Foundation
import Handlers
import Logging
import ProcessSupport
import Synchronization

/// Worker threads in pools, each pool on its own socket; every thread runs `FCGX_Accept_r` with no lock
/// held across it (libfcgi's threaded example's mutex stalls every thread behind one kept-alive
/// connection) and owns its database connection and HTTP client.
final class FastCGIServer: Sendable {
    private let pools: [WorkerPool]
    private let pace: BodyPace
    private let application: Application
    private let logger: Logger
    private let stopping = Atomic<Bool>(false)
    /// The connection each idle worker waits on (-1 when busy), for shutdown to wake it. Atomics, not a
    /// lock: every request touches them, and a contended lock cost more than the request itself.
    private let idleConnections: [IdleConnection]
    private let memoryTrim = IdleMemoryTrim()

    private final class IdleConnection: Sendable {
        let descriptor = Atomic<Int32>(-1)
    }

    init(pools: [WorkerPool], pace: BodyPace, application: Application, logger: Logger) {
        self.pools = pools
        self.pace = pace
        self.application = application
        self.logger = logger
        idleConnections = (0..<pools.reduce(0) { $0 + $1.threads }).map { _ in IdleConnection() }
    }

    /// SIGTERM and SIGINT blocked in the calling thread and every thread it starts from now on: call it before
    /// FCGX_Init and before any thread starts (the settings watcher's too), so that libfcgi never takes them over
    /// and only `run()`'s signal thread receives them. A thread started earlier could take one and drop it.
    static func blockShutdownSignals() {
        var signals = shutdownSignals
        pthread_sigmask(SIG_BLOCK, &signals, nil)
    }

    private static var shutdownSignals: sigset_t {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        return signals
    }

    /// Serves until SIGTERM or SIGINT, then finishes the requests in flight and returns. The signals must be
    /// blocked already (`blockShutdownSignals()`).
    func run() {
        signal(SIGPIPE, SIG_IGN)
        FCGX_Init()

        var workers: [OSThread] = []
        for pool in pools {
            for _ in 0..<pool.threads {
                let index = workers.count
                let listener = pool.listener
                workers.append(OSThread.start(name: "\(pool.name)-\(index)") { [self] in work(index, listener: listener) })
            }
        }
        let awaited = Self.shutdownSignals
        let signalWaiter = OSThread.start(name: "signals") { [self] in
            var waitSet = awaited
            var received: Int32 = 0
            sigwait(&waitSet, &received)
            logger.info("stopping: finishing requests in flight", metadata: ["signal": "\(received)"])
            stop()
        }
        let trimmer = OSThread.start(name: "memory-trim", stackSize: 256 << 10) { [self] in
            memoryTrim.run { isStopping }
        }
        for pool in pools {
            logger.info("serving", metadata: ["pool": "\(pool.name)", "listen": "\(pool.listener.address)", "threads": "\(pool.threads)"])
        }
        workers.forEach { $0.join() }
        signalWaiter.detach()
        trimmer.detach()
        logger.info("stopped")
    }

    private func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        FCGX_ShutdownPending()
        for pool in pools { pool.listener.stopAccepting() }
        for idle in idleConnections {
            let descriptor = idle.descriptor.load(ordering: .sequentiallyConsistent)
            if descriptor >= 0 { shutdown(descriptor, Int32(SHUT_RDWR)) }
        }
    }

    private func work(_ index: Int, listener: FastCGIListener) {
        var request = FCGX_Request()
        // No listening socket for libfcgi: this loop accepts, and every request head passes
        // RequestHeadCheck before libfcgi parses it.
        FCGX_InitRequest(&request, -1, 0)
        let services = Services(environment: application.environment)
        var peek = [UInt8](repeating: 0, count: RequestHeadCheck.maxHeadBytes + 1)
        while !isStopping {
            if request.ipcFd < 0 {
                let connection = accept(listener.descriptor, nil, nil)
                guard connection >= 0 else {
                    if isStopping { break }
                    if errno != EINTR && errno != ECONNABORTED {
                        logger.warning("accept failed", metadata: ["error": "\(String(cString: strerror(errno)))"])
                        usleep(10_000)
                    }
                    continue
                }
                pace.limitWrites(on: connection)
                request.ipcFd = connection
            }
            guard awaitRequestHead(on: request.ipcFd, worker: index, peek: &peek) else {
                close(request.ipcFd)
                request.ipcFd = -1
                continue
            }
            // The connection is ours: libfcgi must not close it before reading the request.
            request.keepConnection = 1
            guard FCGX_Accept_r(&request) >= 0 else { continue }
            let reusable = FastCGIExchange(request: &request, pace: pace, logger: logger)
                .serve(application: application, services: services)
            // Not reusable: libfcgi sends the response, then half-closes and reads until nginx, which
            // has the whole response, closes its end.
            if !reusable { request.keepConnection = 0 }
            FCGX_Finish_r(&request)
            memoryTrim.requestServed()
        }
        FCGX_Free(&request, 1)
    }

    private var isStopping: Bool { stopping.load(ordering: .sequentiallyConsistent) }

    /// Waits (as an idle worker that shutdown may wake) until a complete, well-formed request head
    /// has arrived on `connection`. False when the peer closed, the head is malformed, or it is slow.
    private func awaitRequestHead(on connection: Int32, worker index: Int, peek: inout [UInt8]) -> Bool {
        let idle = idleConnections[index]
        idle.descriptor.store(connection, ordering: .sequentiallyConsistent)
        defer { idle.descriptor.store(-1, ordering: .sequentiallyConsistent) }
        guard !isStopping else { return false }
        var ready = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
        guard poll(&ready, 1, -1) == 1 else { return false }
        let deadline = ContinuousClock.now + .seconds(5)
        while true {
            let count = peek.withUnsafeMutableBytes {
                recv(connection, $0.baseAddress, $0.count, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT))
            }
            guard count > 0 || (count < 0 && errno == EAGAIN) else { return false }
            switch RequestHeadCheck.check(peek[0..<max(count, 0)]) {
            case .complete:
                return true
            case .invalid(let reason):
                logger.notice("refused a malformed FastCGI request", metadata: ["reason": "\(reason)"])
                return false
            case .needMore:
                guard ContinuousClock.now < deadline, !isStopping else { return false }
                usleep(1_000)
            }
        }
    }
}
