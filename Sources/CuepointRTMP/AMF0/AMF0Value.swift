/// A value in Action Message Format 0, the encoding of RTMP commands and of FLV script data.
///
/// Objects and ECMA arrays keep their properties in order (as they were sent, as they are
/// written). A long string (marker 0x0C) decodes to ``string``; the encoder chooses the long
/// form for strings of more than 65535 UTF-8 bytes. The object-end marker is structure, not a
/// value. The AMF0 specification (Adobe, 2006) defines the markers.
public enum AMF0Value: Sendable, Equatable {
    /// An IEEE 754 double (marker 0x00).
    case number(Double)
    /// Marker 0x01.
    case boolean(Bool)
    /// A UTF-8 string (marker 0x02, or 0x0C when longer than 65535 bytes).
    case string(String)
    /// An anonymous object (marker 0x03): named properties, ended by the object-end marker.
    case object([AMF0Property])
    /// Marker 0x05.
    case null
    /// Marker 0x06.
    case undefined
    /// An associative array (marker 0x08): a count (advisory) and named properties.
    case ecmaArray([AMF0Property])
    /// A dense array (marker 0x0A): a count and that many values.
    case strictArray([AMF0Value])
    /// Marker 0x0B: milliseconds since 1970 (a double) and a time-zone offset in minutes
    /// (reserved by the specification, normally 0).
    case date(milliseconds: Double, timeZoneMinutes: Int16)

    /// The value of the property `name` of an object or ECMA array; nil for anything else or
    /// when there is no such property.
    public subscript(name: String) -> AMF0Value? {
        switch self {
        case .object(let properties), .ecmaArray(let properties):
            properties.first { $0.name == name }?.value
        default:
            nil
        }
    }

    /// The string, when this is one.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The number, when this is one.
    public var numberValue: Double? {
        if case .number(let number) = self { return number }
        return nil
    }
}

/// A named property of an AMF0 object or ECMA array.
public struct AMF0Property: Sendable, Equatable {
    public var name: String
    public var value: AMF0Value

    public init(_ name: String, _ value: AMF0Value) {
        self.name = name
        self.value = value
    }
}

/// The type markers of AMF0, as they appear in front of each value.
enum AMF0Marker: UInt8 {
    case number = 0x00
    case boolean = 0x01
    case string = 0x02
    case object = 0x03
    case movieClip = 0x04
    case null = 0x05
    case undefined = 0x06
    case reference = 0x07
    case ecmaArray = 0x08
    case objectEnd = 0x09
    case strictArray = 0x0A
    case date = 0x0B
    case longString = 0x0C
    case unsupported = 0x0D
    case recordSet = 0x0E
    case xmlDocument = 0x0F
    case typedObject = 0x10
    case avmPlusObject = 0x11
}
