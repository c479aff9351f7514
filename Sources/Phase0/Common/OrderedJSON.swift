import Foundation
import EngramCore
import Formats

/// A JSON value whose objects keep their key order, serialised the way Python's
/// `json.dump(obj, indent=2)` does (non-finite floats as bare `NaN`, `Infinity`, `-Infinity`;
/// floats in shortest round-trip form, e.g. `0.1`, `1e-05`, `3.0`), so files we write read the same
/// in the research pipeline's notebooks. Read such files back with `OrderedJSON.decoder` (JSON5 mode
/// accepts the bare non-finite tokens).
public indirect enum OrderedJSON: Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([OrderedJSON])
    case object([(String, OrderedJSON)])

    public static func == (a: OrderedJSON, b: OrderedJSON) -> Bool { a.serialized() == b.serialized() }

    /// Text with `indent` spaces per level (Python's `indent=2` layout), or compact with Python's
    /// default `, ` / `: ` separators when `indent` is nil. Written by `Formats.JSON`.
    public func serialized(indent: Int? = 2) -> String {
        JSON.serialize(jsonValue, indent: indent, sortKeys: false, pythonSeparators: true)
    }

    /// The same value as a `Formats.JSONValue` (object keys in order).
    public var jsonValue: JSONValue {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(Int64(i))
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .array(let items): return .array(items.map(\.jsonValue))
        case .object(let items): return .object(JSONObject(items.map { ($0.0, $0.1.jsonValue) }))
        }
    }

    /// Python's `repr(float)` (shortest round-trip digits; `NaN`, `Infinity` as `json` writes them).
    public static func pythonFloat(_ d: Double) -> String { JSON.formatDouble(d) }

    /// A decoder that reads what `serialized()` writes (bare `NaN`/`Infinity` allowed).
    public static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.allowsJSON5 = true
        return d
    }

    /// Writes the value atomically as UTF-8 text with a trailing newline-free layout like `json.dump`.
    public func write(to url: URL) throws {
        try AtomicFile.write(serialized(), to: url)
    }
}

/// Types that have a fixed, documented JSON layout (keys in the research pipeline's order).
public protocol OrderedJSONConvertible {
    var orderedJSON: OrderedJSON { get }
}

extension Array where Element == Double {
    var json: OrderedJSON { .array(map { .double($0) }) }
}

extension Array where Element == Float {
    var json: OrderedJSON { .array(map { .double(Double($0)) }) }
}

extension Array where Element == Int {
    var json: OrderedJSON { .array(map { .int($0) }) }
}
