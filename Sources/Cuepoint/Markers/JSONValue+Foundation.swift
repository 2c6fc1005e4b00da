import CuepointJSON
import Foundation

extension JSONValue {
    /// The value of an object made by `JSONSerialization` or Yams (or built by hand from `String`,
    /// `Bool`, `Int`, `Int64`, `Double`, `NSNumber`, `NSNull`, arrays and `[String: Any]`); nil for
    /// anything else. Dictionary members are ordered by the UTF-8 bytes of their keys.
    init?(foundationObject object: Any) {
        let type = Swift.type(of: object)
        if let text = object as? String {
            self = .string(text)
        } else if object is NSNull {
            self = .null
        } else if type == Bool.self, let flag = object as? Bool {
            self = .bool(flag)
        } else if type == Int.self, let number = object as? Int {
            self = .number(String(number))
        } else if type == Int64.self, let number = object as? Int64 {
            self = .number(String(number))
        } else if type == Double.self, let number = object as? Double {
            guard number.isFinite else { return nil }
            self = .number("\(number)")
        } else if let number = object as? NSNumber {
            // JSONSerialization's booleans are NSNumbers of Objective-C type `c` (char).
            switch String(cString: number.objCType) {
            case "c": self = .bool(number.boolValue)
            case "d", "f":
                guard number.doubleValue.isFinite else { return nil }
                self = .number("\(number.doubleValue)")
            default: self = .number(number.stringValue)
            }
        } else if let array = object as? [Any] {
            var elements: [JSONValue] = []
            for element in array {
                guard let value = JSONValue(foundationObject: element) else { return nil }
                elements.append(value)
            }
            self = .array(elements)
        } else if let dictionary = object as? [String: Any] {
            var members: [JSONMember] = []
            for key in dictionary.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                guard let value = JSONValue(foundationObject: dictionary[key] as Any) else { return nil }
                members.append(JSONMember(key: key, value: value))
            }
            self = .object(members)
        } else {
            return nil
        }
    }
}

extension Marker {
    /// The deepest nesting of arrays and objects a marker line may have.
    static let maximumJSONDepth = 32

    /// Reads one marker line's JSON (arrays and objects at most ``maximumJSONDepth`` deep).
    static func parseJSON(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        try JSONParser.parse(text, maximumDepth: maximumJSONDepth)
    }

    /// A non-negative number of seconds (a JSON number's text) as whole milliseconds, halves
    /// rounded up; nil when the text is not a number, is negative, or exceeds 10^12 seconds.
    static func milliseconds(fromSeconds text: String) -> Int64? {
        guard let number = JSONNumber(text), !number.negative, number.digits.count - number.fractionDigits <= 12 else {
            return nil
        }
        return number.scaled(by: 3)
    }
}
