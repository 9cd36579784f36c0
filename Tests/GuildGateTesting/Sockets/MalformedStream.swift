import Foundation

/// Hostile byte streams written straight to the FastCGI socket.
public enum MalformedStream: String, CaseIterable, Sendable {
    case garbage, truncatedHeader, truncatedParams, hugeDeclaredLength, hugeParamLength, wrongVersion, paramsWithoutBegin
    case unknownRecordType, bodyCutOff, overflowingParamLengths

    public var bytes: [UInt8] {
        switch self {
        case .garbage:
            return Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        case .truncatedHeader:
            return [1, 1, 0]
        case .truncatedParams:
            return Array(RawFastCGI.beginRequest() + RawFastCGI.params([("REQUEST_METHOD", "GET")]).prefix(11))
        case .hugeDeclaredLength:
            return RawFastCGI.beginRequest() + RawFastCGI.record(type: 4, content: [1, 2, 3], declaredLength: 0xFFFF)
        case .hugeParamLength:
            let pair = RawFastCGI.pair(name: Array("A".utf8), value: Array("B".utf8), nameLength: 0x7FFF_FFF0, valueLength: 1)
            return RawFastCGI.beginRequest() + RawFastCGI.record(type: 4, content: pair)
        case .wrongVersion:
            var begin = RawFastCGI.beginRequest()
            begin[0] = 9
            return begin + RawFastCGI.params([("REQUEST_METHOD", "GET")])
        case .paramsWithoutBegin:
            return RawFastCGI.params([("REQUEST_METHOD", "GET"), ("REQUEST_URI", "/healthz")])
        case .unknownRecordType:
            return RawFastCGI.beginRequest() + RawFastCGI.record(type: 42, content: [1, 2, 3])
        case .overflowingParamLengths:
            return MalformedStream.overflowingLengths
        case .bodyCutOff:
            return RawFastCGI.beginRequest()
                + RawFastCGI.params([
                    ("REQUEST_METHOD", "POST"), ("REQUEST_URI", "/api/user/onboarding"), ("CONTENT_TYPE", "application/json"),
                    ("CONTENT_LENGTH", "100"),
                ]) + RawFastCGI.record(type: 5, content: Array("{\"name\":".utf8))
        }
    }
}

extension MalformedStream {
    /// Two name/value lengths just under 2 GiB each: their sum overflows libfcgi's `int` and Debian's
    /// build aborts the process unless the request head is checked first.
    public static let overflowingLengths: [UInt8] = {
        let pair = RawFastCGI.pair(name: Array("A".utf8), value: Array("B".utf8), nameLength: 0x7FFF_FFFE, valueLength: 0x7FFF_FFFE)
        return RawFastCGI.beginRequest() + RawFastCGI.record(type: 4, content: pair) + RawFastCGI.record(type: 4, content: [])
    }()
}
