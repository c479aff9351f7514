import EngramCore
import Foundation

/// A parsed JSON value. Integers without fraction or exponent stay exact (`.int`); Python's
/// non-standard `NaN`, `Infinity`, `-Infinity` tokens are accepted as doubles (zarr-python and
/// `json.dumps` can write them). Objects keep their key order.
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public var objectValue: JSONObject? { if case .object(let o) = self { return o }; return nil }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var isNull: Bool { self == .null }

    /// Exact integer (also a double with an integral value that fits in Int).
    public var intValue: Int? {
        switch self {
        case .int(let i): return Int(exactly: i)
        case .double(let d): return d.isFinite && d.rounded() == d && abs(d) < 0x1p62 ? Int(d) : nil
        default: return nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }
}

/// A JSON object: keys in the order written. Small objects (the common case: Zarr metadata,
/// tensor headers) are searched linearly, which beats hashing for a handful of keys; a hash
/// index is built once an object grows past 16 keys.
public struct JSONObject: Equatable, Sendable {
    public private(set) var keys: [String] = []
    private var vals: [JSONValue] = []
    private var index: [String: Int]? = nil
    private static let indexThreshold = 16

    public init() {}
    public init(_ pairs: [(String, JSONValue)]) { for (k, v) in pairs { self[k] = v } }

    private func position(_ key: String) -> Int? {
        if let index { return index[key] }
        return keys.firstIndex(of: key)
    }

    public subscript(key: String) -> JSONValue? {
        get { position(key).map { vals[$0] } }
        set {
            if let i = position(key) {
                if let v = newValue {
                    vals[i] = v
                } else {
                    keys.remove(at: i)
                    vals.remove(at: i)
                    if index != nil { rebuildIndex() }
                }
            } else if let v = newValue {
                keys.append(key)
                vals.append(v)
                if index != nil {
                    index![key] = keys.count - 1
                } else if keys.count > Self.indexThreshold {
                    rebuildIndex()
                }
            }
        }
    }

    private mutating func rebuildIndex() {
        var d = [String: Int](minimumCapacity: keys.count)
        for (i, k) in keys.enumerated() { d[k] = i }
        index = d
    }

    /// The entries as a dictionary.
    public var values: [String: JSONValue] {
        var d = [String: JSONValue](minimumCapacity: keys.count)
        for (i, k) in keys.enumerated() { d[k] = vals[i] }
        return d
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    /// Equal when both hold the same keys with equal values (order ignored).
    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        guard a.count == b.count else { return false }
        for (i, k) in a.keys.enumerated() where b[k] != a.vals[i] { return false }
        return true
    }
}

/// JSON parsing and writing.
public enum JSON {
    /// Parses a whole document. Errors name `location` and the byte offset.
    public static func parse(_ data: Data, location: String) throws -> JSONValue {
        try data.withUnsafeBytes { try parse($0, location: location) }
    }

    public static func parse(_ bytes: UnsafeRawBufferPointer, location: String) throws -> JSONValue {
        var p = JSONParser(bytes: bytes, location: location)
        p.skipWhitespace()
        let v = try p.parseValue(depth: 0)
        p.skipWhitespace()
        if p.pos != bytes.count { throw p.error("unexpected trailing characters") }
        return v
    }

    /// Serialises like Python's `json.dumps(v, indent=4, sort_keys=True, ensure_ascii=True)`,
    /// the form zarr-python 2 writes metadata in. `sortKeys: false` keeps insertion order.
    /// Compact text (`indent: nil`) uses `,`/`:` separators, or Python's default `, `/`: ` with
    /// `pythonSeparators` (what `json.dumps(v)` writes).
    public static func serialize(_ v: JSONValue, indent: Int? = 4, sortKeys: Bool = true, pythonSeparators: Bool = false) -> String {
        var out = ""
        let item = indent == nil && pythonSeparators ? ", " : ","
        let key = indent != nil || pythonSeparators ? ": " : ":"
        write(v, into: &out, indent: indent, level: 0, sortKeys: sortKeys, separators: (item, key))
        return out
    }

    private static func write(_ v: JSONValue, into out: inout String, indent: Int?, level: Int, sortKeys: Bool,
                              separators: (item: String, key: String)) {
        switch v {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += formatDouble(d)
        case .string(let s): writeString(s, into: &out)
        case .array(let a):
            if a.isEmpty { out += "[]"; return }
            out += "["
            for (i, e) in a.enumerated() {
                if i > 0 { out += separators.item }
                newline(&out, indent, level + 1)
                write(e, into: &out, indent: indent, level: level + 1, sortKeys: sortKeys, separators: separators)
            }
            newline(&out, indent, level)
            out += "]"
        case .object(let o):
            if o.isEmpty { out += "{}"; return }
            out += "{"
            let keys = sortKeys ? o.keys.sorted(by: pythonKeyOrder) : o.keys
            for (i, k) in keys.enumerated() {
                if i > 0 { out += separators.item }
                newline(&out, indent, level + 1)
                writeString(k, into: &out)
                out += separators.key
                write(o[k] ?? .null, into: &out, indent: indent, level: level + 1, sortKeys: sortKeys, separators: separators)
            }
            newline(&out, indent, level)
            out += "}"
        }
    }

    /// Python sorts str keys by code point.
    private static func pythonKeyOrder(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
    }

    private static func newline(_ out: inout String, _ indent: Int?, _ level: Int) {
        guard let indent else { return }
        out += "\n"
        out += String(repeating: " ", count: indent * level)
    }

    /// Python's `repr(float)` as `json` writes it: shortest round-trip digits (Swift's description
    /// has the same layout, e.g. `0.1`, `1e-05`, `3.0`), bare `NaN` / `Infinity` / `-Infinity`.
    public static func formatDouble(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
        var s = "\(d)"
        if !s.contains(".") && !s.contains("e") { s += ".0" }
        return s
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
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if u.value < 0x20 || u.value > 0x7e {
                    if u.value > 0xffff {
                        let v = u.value - 0x10000
                        out += String(format: "\\u%04x\\u%04x", 0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff))
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
}

/// Recursive-descent JSON parser over raw bytes; bounded nesting depth (no stack overflow on
/// hostile input), every read bounds-checked.
struct JSONParser {
    let bytes: UnsafeRawBufferPointer
    let location: String
    var pos = 0
    static let maxDepth = 512

    init(bytes: UnsafeRawBufferPointer, location: String) {
        self.bytes = bytes
        self.location = location
    }

    func error(_ msg: String) -> EngramError {
        EngramError(location, "invalid JSON at byte \(pos): \(msg)")
    }

    mutating func skipWhitespace() {
        while pos < bytes.count {
            let c = bytes[pos]
            if c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09 { pos += 1 } else { break }
        }
    }

    func peek() -> UInt8? { pos < bytes.count ? bytes[pos] : nil }

    mutating func expectLiteral(_ lit: StaticString) throws {
        let n = lit.utf8CodeUnitCount
        guard pos + n <= bytes.count else { throw error("unexpected end of input") }
        let p = lit.utf8Start
        for i in 0..<n where bytes[pos + i] != p[i] { throw error("unexpected token") }
        pos += n
    }

    mutating func parseValue(depth: Int) throws -> JSONValue {
        guard depth < Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth)") }
        guard let c = peek() else { throw error("unexpected end of input") }
        switch c {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "N"): try expectLiteral("NaN"); return .double(.nan)
        case UInt8(ascii: "I"): try expectLiteral("Infinity"); return .double(.infinity)
        default: return try parseNumber()
        }
    }

    mutating func parseObject(depth: Int) throws -> JSONValue {
        pos += 1
        var obj = JSONObject()
        skipWhitespace()
        if peek() == UInt8(ascii: "}") { pos += 1; return .object(obj) }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let key = try parseString()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw error("expected ':'") }
            pos += 1
            skipWhitespace()
            let v = try parseValue(depth: depth + 1)
            obj[key] = v
            skipWhitespace()
            guard let c = peek() else { throw error("unexpected end of input in object") }
            pos += 1
            if c == UInt8(ascii: ",") { continue }
            if c == UInt8(ascii: "}") { return .object(obj) }
            pos -= 1
            throw error("expected ',' or '}'")
        }
    }

    mutating func parseArray(depth: Int) throws -> JSONValue {
        pos += 1
        var arr: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") { pos += 1; return .array(arr) }
        while true {
            skipWhitespace()
            arr.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard let c = peek() else { throw error("unexpected end of input in array") }
            pos += 1
            if c == UInt8(ascii: ",") { continue }
            if c == UInt8(ascii: "]") { return .array(arr) }
            pos -= 1
            throw error("expected ',' or ']'")
        }
    }

    mutating func parseHex4() throws -> UInt32 {
        guard pos + 4 <= bytes.count else { throw error("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[pos]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw error("bad hex digit in \\u escape")
            }
            v = v << 4 | d
            pos += 1
        }
        return v
    }

    mutating func parseString() throws -> String {
        pos += 1
        let start = pos
        // Fast path: no escapes.
        while pos < bytes.count {
            let c = bytes[pos]
            if c == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
                pos += 1
                return s
            }
            if c == UInt8(ascii: "\\") || c < 0x20 { break }
            pos += 1
        }
        var buf = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[start..<pos]))
        while true {
            guard pos < bytes.count else { throw error("unterminated string") }
            let c = bytes[pos]
            pos += 1
            if c == UInt8(ascii: "\"") { break }
            if c < 0x20 { pos -= 1; throw error("control character in string") }
            if c != UInt8(ascii: "\\") { buf.append(c); continue }
            guard pos < bytes.count else { throw error("unterminated escape") }
            let e = bytes[pos]
            pos += 1
            switch e {
            case UInt8(ascii: "\""): buf.append(0x22)
            case UInt8(ascii: "\\"): buf.append(0x5c)
            case UInt8(ascii: "/"): buf.append(0x2f)
            case UInt8(ascii: "b"): buf.append(0x08)
            case UInt8(ascii: "f"): buf.append(0x0c)
            case UInt8(ascii: "n"): buf.append(0x0a)
            case UInt8(ascii: "r"): buf.append(0x0d)
            case UInt8(ascii: "t"): buf.append(0x09)
            case UInt8(ascii: "u"):
                var cp = try parseHex4()
                if cp >= 0xd800 && cp < 0xdc00, pos + 6 <= bytes.count,
                   bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u") {
                    let save = pos
                    pos += 2
                    let lo = try parseHex4()
                    if lo >= 0xdc00 && lo < 0xe000 {
                        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00)
                    } else {
                        pos = save
                    }
                }
                let scalar = Unicode.Scalar(cp) ?? "\u{FFFD}"
                buf.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                pos -= 1
                throw error("invalid escape")
            }
        }
        return String(decoding: buf, as: UTF8.self)
    }

    mutating func parseNumber() throws -> JSONValue {
        let start = pos
        var isFloat = false
        if peek() == UInt8(ascii: "-") {
            pos += 1
            if peek() == UInt8(ascii: "I") { try expectLiteral("Infinity"); return .double(-.infinity) }
        }
        var digits = 0
        while let c = peek() {
            if c >= 0x30 && c <= 0x39 { digits += 1; pos += 1; continue }
            if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
                isFloat = true; pos += 1; continue
            }
            break
        }
        guard digits > 0 else { pos = start; throw error("unexpected character") }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
        if !isFloat, let i = Int64(text) { return .int(i) }
        guard let d = Double(text) else { pos = start; throw error("malformed number '\(text)'") }
        return .double(d)
    }
}
