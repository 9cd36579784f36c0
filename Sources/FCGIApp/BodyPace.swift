import Foundation
import Handlers

/// How slowly a client may send a request body, or take a response, before its connection is cut:
/// the guard that stops a few trickling clients from holding every worker thread.
///
/// A body must average `minimumRate` bytes a second with `window` of slack. Only time spent waiting for
/// the client counts, not time the handler spends elsewhere (posting a part to Discord): each wait uses
/// slack up, each byte that arrives earns 1/`minimumRate` seconds of it back, never more than `window`.
/// A client that sends nothing, or a few bytes now and then, runs out of slack within about `window`.
/// A response write that nginx takes nothing of for `window` fails too (SO_SNDTIMEO).
struct BodyPace: Sendable {
    let minimumRate: Int
    let window: Duration

    /// The slack of one request body, spent as it is read.
    struct Slack {
        let pace: BodyPace
        private(set) var remaining: Duration

        init(pace: BodyPace) {
            self.pace = pace
            remaining = pace.window
        }

        mutating func waited(_ duration: Duration) {
            remaining -= duration
        }

        mutating func received(_ bytes: Int) {
            guard bytes > 0 else { return }
            let earned = Duration.nanoseconds(Int64(bytes) * 1_000_000_000 / Int64(pace.minimumRate))
            remaining = min(pace.window, remaining + earned)
        }

        var isSpent: Bool { remaining <= .zero }

        /// The error a body that ran out of slack ends with.
        var exceeded: RequestBodyError {
            .tooSlow(minimumRate: pace.minimumRate, windowSeconds: Int(pace.window.components.seconds))
        }
    }

    /// Makes a blocked write on `descriptor` fail once nginx has taken nothing for `window`.
    func limitWrites(on descriptor: Int32) {
        var timeout = Self.timeval(window)
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Makes the next blocking read on `descriptor` fail after `duration` (at least a millisecond: zero
    /// would mean no limit at all).
    static func limitReads(on descriptor: Int32, to duration: Duration) {
        var timeout = timeval(max(duration, .milliseconds(1)))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    private static func timeval(_ duration: Duration) -> timeval {
        let (seconds, attoseconds) = duration.components
        return Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}
