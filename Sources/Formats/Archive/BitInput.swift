import EngramCore

/// LSB-first bit reader over a stream of byte chunks (DEFLATE's bit order), shared by the gzip
/// framing (byte fields) and the inflater (bit fields). Chunks come from `source` on demand; nil
/// means end of input. Byte offsets in errors count from the start of the stream.
///
/// A value type on purpose: the inflater's hot loop works on a local copy, which the compiler
/// does not guard with dynamic exclusivity checks (on a class's properties they cost 3.4× here).
struct BitInput {
    private let source: () throws -> [UInt8]?
    private var chunk: [UInt8] = []
    private var pos = 0
    /// Bytes of earlier chunks.
    private var chunkStart = 0
    private var atEnd = false
    /// Buffered bits, the next bit in bit 0.
    private(set) var bitBuffer: UInt64 = 0
    private(set) var bitCount = 0
    let location: String

    init(location: String, source: @escaping () throws -> [UInt8]?) {
        self.location = location
        self.source = source
    }

    /// Offset of the next unread byte (buffered whole bytes count as unread).
    var byteOffset: Int { chunkStart + pos - bitCount / 8 }

    func error(_ message: String) -> EngramError {
        EngramError(location, "\(message) (at compressed byte \(byteOffset))")
    }

    /// Moves to the next chunk; false at end of input.
    mutating private func nextChunk() throws -> Bool {
        if atEnd { return false }
        while true {
            guard let c = try source() else { atEnd = true; return false }
            chunkStart += chunk.count
            chunk = c
            pos = 0
            if !c.isEmpty { return true }
        }
    }

    /// Fills the bit buffer to at least `n` bits (n ≤ 56) when input remains; returns the bits held.
    @inline(__always)
    @discardableResult
    mutating func fill(_ n: Int) throws -> Int {
        while bitCount < n {
            if pos == chunk.count {
                if try !nextChunk() { return bitCount }
            }
            // Take as many whole bytes as fit: 8 at once away from the chunk's end.
            chunk.withUnsafeBytes { c in
                if pos + 8 <= c.count {
                    let word = UInt64(littleEndian: c.loadUnaligned(fromByteOffset: pos, as: UInt64.self))
                    let take = (63 - bitCount) >> 3
                    bitBuffer |= (word & ((1 << UInt64(take * 8)) - 1)) << UInt64(bitCount)
                    pos += take
                    bitCount += take * 8
                    return
                }
                while bitCount <= 56 && pos < c.count {
                    bitBuffer |= UInt64(c[pos]) << UInt64(bitCount)
                    pos += 1
                    bitCount += 8
                }
            }
        }
        return bitCount
    }

    /// The next `n` bits (n ≤ 32) as an integer, consumed. Throws at end of input.
    @inline(__always)
    mutating func bits(_ n: Int) throws -> Int {
        if n == 0 { return 0 }
        if bitCount < n, try fill(n) < n { throw error("unexpected end of compressed data") }
        let v = Int(bitBuffer & ((1 << UInt64(n)) - 1))
        bitBuffer >>= UInt64(n)
        bitCount -= n
        return v
    }

    @inline(__always)
    mutating func consume(_ n: Int) {
        bitBuffer >>= UInt64(n)
        bitCount -= n
    }

    /// Drops the bits up to the next byte boundary.
    mutating func alignToByte() { consume(bitCount % 8) }

    /// Next byte at a byte boundary; nil at end of input.
    mutating func byte() throws -> UInt8? {
        precondition(bitCount % 8 == 0)
        if bitCount == 0, try fill(8) == 0 { return nil }
        let b = UInt8(truncatingIfNeeded: bitBuffer)
        consume(8)
        return b
    }

    /// `n` bytes at a byte boundary; throws naming `what` when the input ends first.
    mutating func bytes(_ n: Int, _ what: String) throws -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(n)
        for _ in 0..<n {
            guard let b = try byte() else { throw error("input ends inside the \(what)") }
            out.append(b)
        }
        return out
    }

    /// Copies `n` bytes at a byte boundary straight to `sink` (stored blocks), in pieces.
    mutating func copyBytes(_ n: Int, _ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        var left = n
        while left > 0 && bitCount > 0 {
            var b = UInt8(truncatingIfNeeded: bitBuffer)
            consume(8)
            try withUnsafeBytes(of: &b) { try sink($0) }
            left -= 1
        }
        while left > 0 {
            if pos == chunk.count, try !nextChunk() { throw error("input ends inside a stored block (\(left) bytes missing)") }
            let take = min(left, chunk.count - pos)
            try chunk.withUnsafeBytes { try sink(UnsafeRawBufferPointer(rebasing: $0[pos..<(pos + take)])) }
            pos += take
            left -= take
        }
    }

    /// True when no input byte remains (at a byte boundary).
    mutating func isAtEnd() throws -> Bool {
        if bitCount >= 8 { return false }
        if pos < chunk.count { return false }
        return try !nextChunk()
    }
}
