extension UInt8 {
    /// An ASCII capital letter.
    var isCapital: Bool { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self) }

    /// A capital, a digit or an underscore: what the names of settings and of nginx placeholders are made of.
    var isNameCharacter: Bool { isCapital || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || self == UInt8(ascii: "_") }
}
