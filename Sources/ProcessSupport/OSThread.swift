import Foundation

/// A POSIX thread running a closure, with a stack of a set size (libfcgi's request loops need that),
/// joined or detached by its starter.
public struct OSThread {
    private let thread: pthread_t

    private final class Body {
        let name: String
        let run: () -> Void

        init(name: String, run: @escaping () -> Void) {
            self.name = name
            self.run = run
        }
    }

    /// Starts `body` on a new thread named `name` (cut to the 15 bytes Linux keeps).
    public static func start(name: String, stackSize: Int = 1 << 20, _ body: @escaping @Sendable () -> Void) -> OSThread {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setstacksize(&attributes, stackSize)
        defer { pthread_attr_destroy(&attributes) }
        let shortName = String(decoding: name.utf8.prefix(15), as: UTF8.self)
        let context = Unmanaged.passRetained(Body(name: shortName, run: body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(
            &thread, &attributes,
            { context in
                let body = Unmanaged<Body>.fromOpaque(context!).takeRetainedValue()
                Thread.current.name = body.name
                body.run()
                return nil
            }, context)
        precondition(result == 0, "cannot start thread \(name): \(String(cString: strerror(result)))")
        return OSThread(thread: thread)
    }

    public func join() { pthread_join(thread, nil) }
    public func detach() { pthread_detach(thread) }
}
