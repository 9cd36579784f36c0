/// Where each key of an object being parsed sits, so a repeated key (the last value wins, in the first
/// one's place) is found in constant time: an object of n keys parses in O(n), not O(n²). Small objects,
/// nearly all of them, are searched directly and never pay for a dictionary.
struct KeyPositions {
    static let directSearchLimit = 32
    private var byKey: [String: Int]?

    /// The index in `members` of `key`, if it is there; `members` are the object's members so far, and a
    /// new member must be appended to them after a nil answer.
    mutating func index(of key: String, in members: [(String, JSON)]) -> Int? {
        if byKey == nil {
            if members.count < Self.directSearchLimit { return members.firstIndex { $0.0 == key } }
            byKey = Dictionary(members.enumerated().map { ($1.0, $0) }, uniquingKeysWith: { first, _ in first })
        }
        if let index = byKey?[key] { return index }
        byKey?[key] = members.count
        return nil
    }
}
