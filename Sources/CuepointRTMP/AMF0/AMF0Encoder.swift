public import NIOCore

/// Writes AMF0 values, the inverse of ``AMF0Decoder``.
public enum AMF0Encoder {
    /// Appends `values` to `buffer`, each with its type marker.
    public static func encode(_ values: [AMF0Value], into buffer: inout ByteBuffer) {
        for value in values { encode(value, into: &buffer) }
    }

    /// `values` as bytes.
    public static func encode(_ values: [AMF0Value]) -> ByteBuffer {
        var buffer = ByteBuffer()
        encode(values, into: &buffer)
        return buffer
    }

    /// Appends one value with its type marker.
    public static func encode(_ value: AMF0Value, into buffer: inout ByteBuffer) {
        switch value {
        case .number(let number):
            buffer.writeInteger(AMF0Marker.number.rawValue)
            buffer.writeInteger(number.bitPattern)
        case .boolean(let flag):
            buffer.writeInteger(AMF0Marker.boolean.rawValue)
            buffer.writeInteger(UInt8(flag ? 1 : 0))
        case .string(let text):
            let count = text.utf8.count
            if count > Int(UInt16.max) {
                buffer.writeInteger(AMF0Marker.longString.rawValue)
                buffer.writeInteger(UInt32(count))
            } else {
                buffer.writeInteger(AMF0Marker.string.rawValue)
                buffer.writeInteger(UInt16(count))
            }
            buffer.writeString(text)
        case .object(let properties):
            buffer.writeInteger(AMF0Marker.object.rawValue)
            encode(properties, into: &buffer)
        case .null:
            buffer.writeInteger(AMF0Marker.null.rawValue)
        case .undefined:
            buffer.writeInteger(AMF0Marker.undefined.rawValue)
        case .ecmaArray(let properties):
            buffer.writeInteger(AMF0Marker.ecmaArray.rawValue)
            buffer.writeInteger(UInt32(properties.count))
            encode(properties, into: &buffer)
        case .strictArray(let elements):
            buffer.writeInteger(AMF0Marker.strictArray.rawValue)
            buffer.writeInteger(UInt32(elements.count))
            for element in elements { encode(element, into: &buffer) }
        case .date(let milliseconds, let zone):
            buffer.writeInteger(AMF0Marker.date.rawValue)
            buffer.writeInteger(milliseconds.bitPattern)
            buffer.writeInteger(zone)
        }
    }

    /// Properties, then the empty name and the object-end marker. A name longer than 65535
    /// UTF-8 bytes cannot be written in AMF0 and is cut there.
    private static func encode(_ properties: [AMF0Property], into buffer: inout ByteBuffer) {
        for property in properties {
            let name = Array(property.name.utf8.prefix(Int(UInt16.max)))
            buffer.writeInteger(UInt16(name.count))
            buffer.writeBytes(name)
            encode(property.value, into: &buffer)
        }
        buffer.writeInteger(UInt16(0))
        buffer.writeInteger(AMF0Marker.objectEnd.rawValue)
    }
}
