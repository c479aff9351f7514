import Foundation
import EngramCore

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

    /// Text with `indent` spaces per level (Python's `indent=2` layout), or compact when `indent` is nil.
    public func serialized(indent: Int? = 2) -> String {
        var out = ""
        write(into: &out, indent: indent, level: 0)
        return out
    }

    private func write(into out: inout String, indent: Int?, level: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += OrderedJSON.pythonFloat(d)
        case .string(let s): OrderedJSON.writeString(s, into: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (i, v) in items.enumerated() {
                if i > 0 { out += indent == nil ? ", " : "," }
                newline(&out, indent, level + 1)
                v.write(into: &out, indent: indent, level: level + 1)
            }
            newline(&out, indent, level)
            out += "]"
        case .object(let items):
            if items.isEmpty { out += "{}"; return }
            out += "{"
            for (i, (k, v)) in items.enumerated() {
                if i > 0 { out += indent == nil ? ", " : "," }
                newline(&out, indent, level + 1)
                OrderedJSON.writeString(k, into: &out)
                out += ": "
                v.write(into: &out, indent: indent, level: level + 1)
            }
            newline(&out, indent, level)
            out += "}"
        }
    }

    private func newline(_ out: inout String, _ indent: Int?, _ level: Int) {
        guard let indent else { return }
        out += "\n"
        out += String(repeating: " ", count: indent * level)
    }

    /// Python's `repr(float)` (shortest round-trip digits; `NaN`, `Infinity` as `json` writes them).
    public static func pythonFloat(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
        return "\(d)"   // Swift's description is the shortest round-trip form, same layout as Python's repr
    }

    private static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value > 0x7e {
                    // Python's json.dump default (ensure_ascii=True): \uXXXX, surrogate pairs above the BMP.
                    if u.value > 0xFFFF {
                        let v = u.value - 0x10000
                        out += String(format: "\\u%04x\\u%04x", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF))
                    } else {
                        out += String(format: "\\u%04x", u.value)
                    }
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }

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
