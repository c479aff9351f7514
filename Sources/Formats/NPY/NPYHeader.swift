import EngramCore
import Foundation

/// The `.npy` header dictionary: `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
struct NPYHeader {
    var dtype: ScalarType
    /// True when the stored bytes are big-endian ('>' in descr); converted on read.
    var bigEndian: Bool
    var fortranOrder: Bool
    var shape: [Int]

    /// numpy `descr` strings for the supported element types (little-endian form).
    static func descr(_ t: ScalarType) -> String? {
        switch t {
        case .bool: return "|b1"
        case .int8: return "|i1"
        case .uint8: return "|u1"
        case .int16: return "<i2"
        case .uint16: return "<u2"
        case .int32: return "<i4"
        case .uint32: return "<u4"
        case .int64: return "<i8"
        case .uint64: return "<u8"
        case .float16: return "<f2"
        case .float32: return "<f4"
        case .float64: return "<f8"
        case .bfloat16: return nil
        }
    }

    /// Parses a numpy type string such as '<f4', '|b1', '>i8'. Returns (type, bigEndian).
    static func parseDescr(_ s: String) -> (ScalarType, Bool)? {
        guard s.count >= 2 else { return nil }
        let order = s.first!
        let code = String(s.dropFirst())
        let big: Bool
        switch order {
        case "<", "|", "=": big = false
        case ">": big = true
        default: return nil
        }
        let t: ScalarType
        switch code {
        case "b1": t = .bool
        case "i1": t = .int8
        case "u1": t = .uint8
        case "i2": t = .int16
        case "u2": t = .uint16
        case "i4": t = .int32
        case "u4": t = .uint32
        case "i8": t = .int64
        case "u8": t = .uint64
        case "f2": t = .float16
        case "f4": t = .float32
        case "f8": t = .float64
        default: return nil
        }
        return (t, big && t.byteSize > 1)
    }

    static func parse(_ text: String, location: String) throws -> NPYHeader {
        var p = PythonLiteralParser(chars: Array(text.unicodeScalars), location: location)
        let v = try p.parseValue(depth: 0)
        guard case .dict(let d) = v else { throw EngramError(location, "NPY header is not a dictionary: \(text)") }
        guard case .string(let descr)? = d["descr"] else {
            throw EngramError(location, "NPY header has no string 'descr' (structured dtypes are not supported): \(text)")
        }
        guard let (t, big) = parseDescr(descr) else {
            throw EngramError(location, "unsupported NPY dtype '\(descr)' (supported: b1, i1/u1, i2/u2, i4/u4, i8/u8, f2, f4, f8)")
        }
        guard case .bool(let fortran)? = d["fortran_order"] else { throw EngramError(location, "NPY header has no boolean 'fortran_order': \(text)") }
        guard case .tuple(let dims)? = d["shape"] else { throw EngramError(location, "NPY header has no tuple 'shape': \(text)") }
        var shape: [Int] = []
        for dim in dims {
            guard case .int(let n) = dim, n >= 0 else { throw EngramError(location, "NPY shape has a non-integer or negative dimension: \(text)") }
            shape.append(n)
        }
        return NPYHeader(dtype: t, bigEndian: big, fortranOrder: fortran, shape: shape)
    }

    /// Header text exactly as numpy writes it (before padding).
    static func text(descr: String, shape: [Int]) -> String {
        let dims: String
        switch shape.count {
        case 0: dims = "()"
        case 1: dims = "(\(shape[0]),)"
        default: dims = "(" + shape.map(String.init).joined(separator: ", ") + ")"
        }
        return "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(dims), }"
    }
}

/// The subset of Python literal syntax that `.npy` headers use.
enum PythonLiteral {
    case string(String), int(Int), bool(Bool), none, tuple([PythonLiteral]), dict([String: PythonLiteral])
}

struct PythonLiteralParser {
    let chars: [Unicode.Scalar]
    let location: String
    var pos = 0

    init(chars: [Unicode.Scalar], location: String) {
        self.chars = chars
        self.location = location
    }

    func error(_ msg: String) -> EngramError {
        EngramError(location, "malformed NPY header at character \(pos): \(msg)")
    }

    mutating func skipSpace() {
        while pos < chars.count, chars[pos] == " " || chars[pos] == "\n" || chars[pos] == "\t" || chars[pos] == "\r" { pos += 1 }
    }

    mutating func parseValue(depth: Int) throws -> PythonLiteral {
        guard depth < 32 else { throw error("nesting too deep") }
        skipSpace()
        guard pos < chars.count else { throw error("unexpected end") }
        let c = chars[pos]
        switch c {
        case "{":
            pos += 1
            var d: [String: PythonLiteral] = [:]
            while true {
                skipSpace()
                guard pos < chars.count else { throw error("unterminated dictionary") }
                if chars[pos] == "}" { pos += 1; return .dict(d) }
                guard case .string(let k) = try parseValue(depth: depth + 1) else { throw error("dictionary key is not a string") }
                skipSpace()
                guard pos < chars.count, chars[pos] == ":" else { throw error("expected ':'") }
                pos += 1
                d[k] = try parseValue(depth: depth + 1)
                skipSpace()
                guard pos < chars.count else { throw error("unterminated dictionary") }
                if chars[pos] == "," { pos += 1 } else if chars[pos] != "}" { throw error("expected ',' or '}'") }
            }
        case "(", "[":
            let close: Unicode.Scalar = c == "(" ? ")" : "]"
            pos += 1
            var items: [PythonLiteral] = []
            while true {
                skipSpace()
                guard pos < chars.count else { throw error("unterminated tuple") }
                if chars[pos] == close { pos += 1; return .tuple(items) }
                items.append(try parseValue(depth: depth + 1))
                skipSpace()
                guard pos < chars.count else { throw error("unterminated tuple") }
                if chars[pos] == "," { pos += 1 } else if chars[pos] != close { throw error("expected ',' or '\(close)'") }
            }
        case "'", "\"":
            pos += 1
            var s = String.UnicodeScalarView()
            while pos < chars.count, chars[pos] != c {
                if chars[pos] == "\\" { pos += 1; guard pos < chars.count else { break } }
                s.append(chars[pos]); pos += 1
            }
            guard pos < chars.count else { throw error("unterminated string") }
            pos += 1
            return .string(String(s))
        default:
            var word = ""
            while pos < chars.count, chars[pos].properties.isAlphabetic || ("0"..."9").contains(chars[pos]) || chars[pos] == "-" || chars[pos] == "_" {
                word.unicodeScalars.append(chars[pos]); pos += 1
            }
            switch word {
            case "True": return .bool(true)
            case "False": return .bool(false)
            case "None": return .none
            default:
                // Python 2 headers may write longs as `3L`.
                let digits = word.hasSuffix("L") ? String(word.dropLast()) : word
                guard let i = Int(digits) else { throw error("unexpected token '\(word)'") }
                return .int(i)
            }
        }
    }
}
