/// A client-defined attribute of EXT-X-DATERANGE: `X-<NAME>=<value>`, whose meaning is defined by
/// the range's CLASS.
public struct ClientAttribute: Hashable, Sendable {
    /// The attribute name, including the `X-` prefix: `X-COM-EXAMPLE-SKU`. Only `A-Z`, `0-9` and
    /// `-` are allowed; reverse-DNS names are recommended.
    public var name: String
    /// The attribute value.
    public var value: AttributeValue

    public init(name: String, value: AttributeValue) {
        self.name = name
        self.value = value
    }
}
