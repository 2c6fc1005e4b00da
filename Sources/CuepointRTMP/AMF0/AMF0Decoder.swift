public import NIOCore

/// Decodes AMF0 values from bytes, within limits on nesting and on the number of values.
///
/// Every length is checked against the bytes that are left before anything is read or
/// allocated, so a declared length or count from the network never reserves memory by itself.
/// The markers that RTMP publishers never send (movie clip, reference, record set, XML
/// document, typed object, AMF3 switch) are refused with their name.
public struct AMF0Decoder: Sendable {
    /// The deepest nesting of objects and arrays accepted (the outermost value is depth 1).
    public var maximumDepth: Int
    /// The most values (of any depth, properties included) one call decodes.
    public var maximumValues: Int

    public init(maximumDepth: Int = 16, maximumValues: Int = 4096) {
        self.maximumDepth = maximumDepth
        self.maximumValues = maximumValues
    }

    /// Decodes every value in `bytes`, in order.
    ///
    /// - Throws: ``AMF0Error`` naming the offset and the problem (a truncated value, an
    ///   unknown marker, too deep, too many values).
    public func decodeAll(_ bytes: ByteBuffer) throws(AMF0Error) -> [AMF0Value] {
        var reader = Reader(buffer: bytes, decoder: self)
        var values: [AMF0Value] = []
        while reader.buffer.readableBytes > 0 {
            values.append(try reader.value(depth: 1))
        }
        return values
    }

    /// Decodes the first value of `bytes` and moves its reader index past it.
    public func decodeValue(from bytes: inout ByteBuffer) throws(AMF0Error) -> AMF0Value {
        var reader = Reader(buffer: bytes, decoder: self)
        let value = try reader.value(depth: 1)
        bytes = reader.buffer
        return value
    }

    /// The reading state of one call: the bytes, where they started, and the values counted.
    private struct Reader {
        var buffer: ByteBuffer
        let start: Int
        let decoder: AMF0Decoder
        var values = 0

        init(buffer: ByteBuffer, decoder: AMF0Decoder) {
            self.buffer = buffer
            self.start = buffer.readerIndex
            self.decoder = decoder
        }

        var offset: Int { buffer.readerIndex - start }

        func failure(_ problem: String, at position: Int? = nil) -> AMF0Error {
            AMF0Error(offset: position ?? offset, problem: problem)
        }

        mutating func value(depth: Int) throws(AMF0Error) -> AMF0Value {
            let markerOffset = offset
            guard let byte = buffer.readInteger(as: UInt8.self) else { throw failure("expected a type marker, the bytes ended") }
            values += 1
            guard values <= decoder.maximumValues else {
                throw failure("more than \(decoder.maximumValues) values in one message", at: markerOffset)
            }
            guard let marker = AMF0Marker(rawValue: byte) else {
                throw failure("unknown type marker 0x\(hex(byte))", at: markerOffset)
            }
            switch marker {
            case .number:
                return .number(try double())
            case .boolean:
                guard let flag = buffer.readInteger(as: UInt8.self) else { throw failure("a boolean without its byte") }
                return .boolean(flag != 0)
            case .string:
                return .string(try string(lengthBytes: 2))
            case .longString:
                return .string(try string(lengthBytes: 4))
            case .object:
                return .object(try properties(depth: depth, of: "object", openedAt: markerOffset))
            case .ecmaArray:
                // The count is advisory: the properties end with the object-end marker, as in FFmpeg and Flash.
                guard buffer.readInteger(as: UInt32.self) != nil else { throw failure("an ECMA array without its count") }
                return .ecmaArray(try properties(depth: depth, of: "ECMA array", openedAt: markerOffset))
            case .strictArray:
                guard let count = buffer.readInteger(as: UInt32.self) else { throw failure("a strict array without its count") }
                try checkDepth(depth, markerOffset)
                // Each element takes at least one byte: a count beyond the bytes left is a lie.
                guard Int(count) <= buffer.readableBytes else {
                    throw failure("a strict array of \(count) values in \(buffer.readableBytes) bytes", at: markerOffset)
                }
                var elements: [AMF0Value] = []
                for _ in 0..<count { elements.append(try value(depth: depth + 1)) }
                return .strictArray(elements)
            case .date:
                let milliseconds = try double()
                guard let zone = buffer.readInteger(as: Int16.self) else { throw failure("a date without its time zone") }
                return .date(milliseconds: milliseconds, timeZoneMinutes: zone)
            case .null:
                return .null
            case .undefined:
                return .undefined
            case .objectEnd:
                throw failure("an object-end marker outside an object", at: markerOffset)
            case .movieClip, .reference, .unsupported, .recordSet, .xmlDocument, .typedObject, .avmPlusObject:
                throw failure("type marker 0x\(hex(byte)) (\(marker)) is not supported", at: markerOffset)
            }
        }

        mutating func checkDepth(_ depth: Int, _ at: Int) throws(AMF0Error) {
            guard depth < decoder.maximumDepth else {
                throw failure("objects and arrays nested deeper than \(decoder.maximumDepth) levels", at: at)
            }
        }

        /// Named properties up to the empty name followed by the object-end marker.
        mutating func properties(depth: Int, of kind: String, openedAt: Int) throws(AMF0Error) -> [AMF0Property] {
            try checkDepth(depth, openedAt)
            var properties: [AMF0Property] = []
            while true {
                let name = try string(lengthBytes: 2, what: "a property name in the \(kind) opened at byte \(openedAt)")
                if name.isEmpty, buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) == AMF0Marker.objectEnd.rawValue {
                    buffer.moveReaderIndex(forwardBy: 1)
                    return properties
                }
                properties.append(AMF0Property(name, try value(depth: depth + 1)))
            }
        }

        mutating func double() throws(AMF0Error) -> Double {
            guard let bits = buffer.readInteger(as: UInt64.self) else { throw failure("a number needs 8 bytes, the bytes ended") }
            return Double(bitPattern: bits)
        }

        mutating func string(lengthBytes: Int, what: String = "a string") throws(AMF0Error) -> String {
            let length: Int
            if lengthBytes == 2 {
                guard let short = buffer.readInteger(as: UInt16.self) else { throw failure("\(what) without its length") }
                length = Int(short)
            } else {
                guard let long = buffer.readInteger(as: UInt32.self) else { throw failure("\(what) without its length") }
                length = Int(long)
            }
            guard length <= buffer.readableBytes else {
                throw failure("\(what) of \(length) bytes runs past the end (\(buffer.readableBytes) bytes left)")
            }
            return buffer.readString(length: length) ?? ""
        }

        func hex(_ byte: UInt8) -> String {
            let digits = String(byte, radix: 16, uppercase: true)
            return digits.count == 1 ? "0" + digits : digits
        }
    }
}
