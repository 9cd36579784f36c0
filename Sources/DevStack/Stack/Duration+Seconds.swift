extension Duration {
    /// Whole seconds, as messages show a timeout.
    var seconds: Int64 { components.seconds }
}
