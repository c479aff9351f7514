import EngramCore

extension Snappy {
    /// Uncompressed length stored in the preamble of a raw Snappy block, and the preamble's size in bytes.
    /// - Parameter location: names the input in errors (e.g. "FILE, column x, page at byte N").
    public static func uncompressedLength(_ input: UnsafeRawBufferPointer, location: String) throws -> (length: Int, headerBytes: Int) {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var i = 0
        while true {
            guard i < input.count else {
                throw EngramError(location, "Snappy: truncated length preamble (\(input.count) bytes)")
            }
            let b = input[i]
            i += 1
            // The preamble is a varint of at most 32 bits (5 bytes).
            guard i <= 5 else { throw EngramError(location, "Snappy: length preamble longer than 5 bytes") }
            value |= UInt64(b & 0x7f) << shift
            if b & 0x80 == 0 { break }
            shift += 7
        }
        guard value <= UInt64(UInt32.max) else {
            throw EngramError(location, "Snappy: uncompressed length \(value) exceeds 2^32 - 1")
        }
        return (Int(value), i)
    }

    /// Decompresses a raw Snappy block.
    /// - Parameters:
    ///   - expectedLength: when given, the preamble must announce exactly this many bytes.
    ///   - location: names the input in errors.
    /// - Returns: the uncompressed bytes.
    public static func decompress(_ input: UnsafeRawBufferPointer, expectedLength: Int? = nil, location: String) throws -> [UInt8] {
        let (length, header) = try uncompressedLength(input, location: location)
        if let expectedLength, expectedLength != length {
            throw EngramError(location, "Snappy: stream announces \(length) bytes, expected \(expectedLength)")
        }
        // A valid stream cannot expand more than ~21x; refuse to allocate for an impossible claim.
        guard length <= (input.count - header) * maxExpansion + 64 else {
            throw EngramError(location, "Snappy: stream of \(input.count) bytes cannot hold \(length) bytes (corrupt length preamble)")
        }
        return try [UInt8](unsafeUninitializedCapacity: length) { out, initialized in
            try decompressBody(input, from: header, into: UnsafeMutableRawBufferPointer(out), location: location)
            initialized = length
        }
    }

    /// Decompresses a raw Snappy block.
    public static func decompress(_ input: [UInt8], expectedLength: Int? = nil, location: String) throws -> [UInt8] {
        try input.withUnsafeBytes { try decompress($0, expectedLength: expectedLength, location: location) }
    }

    /// Decodes the elements after the preamble (which starts at `start`) into `out`, which must have
    /// exactly the announced length. Throws unless the elements produce exactly `out.count` bytes.
    static func decompressBody(_ input: UnsafeRawBufferPointer, from start: Int, into out: UnsafeMutableRawBufferPointer, location: String) throws {
        let n = input.count
        let outLen = out.count
        guard outLen > 0 else {
            guard start == n else { throw EngramError(location, "Snappy: data after an empty stream at byte \(start)") }
            return
        }
        guard let src = input.baseAddress, let dst = out.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            throw EngramError(location, "Snappy: empty input for \(outLen) announced bytes")
        }
        let s = src.assumingMemoryBound(to: UInt8.self)
        var ip = start
        var op = 0
        while ip < n {
            let tagAt = ip
            let tag = s[ip]
            ip += 1
            var len: Int
            var offset: Int
            switch tag & 3 {
            case Tag.literal.rawValue:
                let code = Int(tag >> 2)
                if code < 60 {
                    len = code + 1
                } else {
                    let extra = code - 59
                    guard extra <= n - ip else {
                        throw EngramError(location, "Snappy: truncated literal length at byte \(tagAt)")
                    }
                    var v = 0
                    for k in 0..<extra { v |= Int(s[ip + k]) << (8 * k) }
                    ip += extra
                    len = v + 1
                }
                guard len <= n - ip else {
                    throw EngramError(location, "Snappy: literal of \(len) bytes at byte \(tagAt) runs past the end of the input")
                }
                guard len <= outLen - op else {
                    throw EngramError(location, "Snappy: literal at byte \(tagAt) overflows the announced length \(outLen)")
                }
                (dst + op).update(from: s + ip, count: len)
                ip += len
                op += len
                continue
            case Tag.copy1.rawValue:
                guard ip < n else { throw EngramError(location, "Snappy: truncated copy at byte \(tagAt)") }
                len = 4 + Int((tag >> 2) & 7)
                offset = (Int(tag >> 5) << 8) | Int(s[ip])
                ip += 1
            case Tag.copy2.rawValue:
                guard 2 <= n - ip else { throw EngramError(location, "Snappy: truncated copy at byte \(tagAt)") }
                len = Int(tag >> 2) + 1
                offset = Int(s[ip]) | Int(s[ip + 1]) << 8
                ip += 2
            default:
                guard 4 <= n - ip else { throw EngramError(location, "Snappy: truncated copy at byte \(tagAt)") }
                len = Int(tag >> 2) + 1
                offset = Int(s[ip]) | Int(s[ip + 1]) << 8 | Int(s[ip + 2]) << 16 | Int(s[ip + 3]) << 24
                ip += 4
            }
            guard offset > 0 && offset <= op else {
                throw EngramError(location, "Snappy: copy at byte \(tagAt) has offset \(offset) outside the \(op) bytes produced so far")
            }
            guard len <= outLen - op else {
                throw EngramError(location, "Snappy: copy at byte \(tagAt) overflows the announced length \(outLen)")
            }
            let from = dst + (op - offset)
            if offset >= len {
                (dst + op).update(from: from, count: len)
            } else {
                // Overlapping copy: repeats the last `offset` bytes (e.g. a run when offset == 1).
                for k in 0..<len { dst[op + k] = from[k] }
            }
            op += len
        }
        guard op == outLen else {
            throw EngramError(location, "Snappy: stream ends after \(op) of \(outLen) announced bytes")
        }
    }
}
