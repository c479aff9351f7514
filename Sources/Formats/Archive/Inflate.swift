import EngramCore

/// A canonical Huffman decoding table (RFC 1951 §3.2.2): indexed by the next `maxBits` input bits
/// (LSB-first), each entry `symbol << 4 | codeLength`; length 0 marks bit patterns no code uses.
struct HuffmanTable {
    var entries: [UInt16]
    var maxBits: Int

    /// Builds the table from per-symbol code lengths (0 = unused). Throws on an over-subscribed set
    /// of lengths; an incomplete set is allowed (its unused patterns decode as errors).
    init(lengths: ArraySlice<UInt8>, what: String, input: BitInput) throws {
        var count = [Int](repeating: 0, count: 16)
        for l in lengths { count[Int(l)] += 1 }
        count[0] = 0
        maxBits = max(1, count.lastIndex { $0 > 0 } ?? 1)
        var left = 1
        for len in 1...15 {
            left = left << 1 - count[len]
            if left < 0 { throw input.error("over-subscribed \(what) Huffman code") }
        }
        var next = [Int](repeating: 0, count: 16)
        var code = 0
        for len in 1...15 { code = (code + count[len - 1]) << 1; next[len] = code }
        entries = [UInt16](repeating: 0, count: 1 << maxBits)
        let size = 1 << maxBits
        entries.withUnsafeMutableBufferPointer { t in
            for (i, l8) in lengths.enumerated() where l8 > 0 {
                let len = Int(l8)
                let c = next[len]
                next[len] += 1
                var r = 0
                for b in 0..<len where c & (1 << (len - 1 - b)) != 0 { r |= 1 << b }
                let e = UInt16(i << 4 | len)
                var k = r
                while k < size { t[k] = e; k += 1 << len }
            }
        }
    }

    /// Decodes one symbol.
    @inline(__always)
    func decode(_ input: inout BitInput) throws -> Int {
        if input.bitCount < maxBits { try input.fill(maxBits) }
        let e = Int(entries[Int(input.bitBuffer & UInt64((1 << maxBits) - 1))])
        let len = e & 15
        if len == 0 || len > input.bitCount {
            throw input.error(len == 0 ? "invalid Huffman code" : "unexpected end of compressed data")
        }
        input.consume(len)
        return e >> 4
    }
}

/// Streaming DEFLATE decoder (RFC 1951): stored, fixed- and dynamic-Huffman blocks, distances up
/// to 32 KiB. Decoded bytes go to `sink` in pieces of up to 32 KiB as they are produced, so memory
/// stays constant whatever the stream length. Every length, distance and code is checked: corrupt
/// input throws an `EngramError` with the compressed byte offset, never crashes.
final class Inflater {
    static let windowSize = 1 << 16
    static let mask = windowSize - 1
    static let lengthBase: [Int] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra: [Int] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distBase: [Int] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049,
                                  3073, 4097, 6145, 8193, 12289, 16385, 24577]
    static let distExtra: [Int] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    static let codeLengthOrder: [Int] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    var input: BitInput
    private let window = UnsafeMutablePointer<UInt8>.allocate(capacity: windowSize)
    /// Bytes produced so far, and emitted to the sink so far.
    private(set) var produced = 0
    private var emitted = 0
    private var fixed: (HuffmanTable, HuffmanTable)?

    init(input: BitInput) { self.input = input }
    deinit { window.deallocate() }

    /// Emits the bytes produced since the last flush.
    private func flush(_ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        while emitted < produced {
            let start = emitted & Self.mask
            let n = min(produced - emitted, Self.windowSize - start)
            try sink(UnsafeRawBufferPointer(start: window + start, count: n))
            emitted += n
        }
    }

    /// Decodes one whole DEFLATE stream (up to its final block); the input is left just after it
    /// (mid-byte). Returns the number of bytes produced by this stream.
    func inflateStream(_ sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        let begin = produced
        var final = false
        while !final {
            final = try input.bits(1) == 1
            switch try input.bits(2) {
            case 0: try storedBlock(sink)
            case 1:
                if fixed == nil { fixed = try Self.fixedTables(input) }
                try huffmanBlock(fixed!.0, fixed!.1, sink)
            case 2:
                let (lit, dist) = try dynamicTables()
                try huffmanBlock(lit, dist, sink)
            default:
                throw input.error("invalid DEFLATE block type 3")
            }
        }
        try flush(sink)
        return produced - begin
    }

    private func storedBlock(_ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        input.alignToByte()
        let len = try input.bits(16), nlen = try input.bits(16)
        guard len == (~nlen & 0xFFFF) else { throw input.error("stored block length \(len) does not match its complement") }
        try flush(sink)
        // Through the window too (later blocks may refer back into it).
        try input.copyBytes(len) { piece in
            for i in 0..<piece.count { window[(produced + i) & Self.mask] = piece[i] }
            produced += piece.count
            emitted = produced
            try sink(piece)
        }
    }

    static func fixedTables(_ input: BitInput) throws -> (HuffmanTable, HuffmanTable) {
        var l = [UInt8](repeating: 8, count: 288)
        for i in 144..<256 { l[i] = 9 }
        for i in 256..<280 { l[i] = 7 }
        return (try HuffmanTable(lengths: l[...], what: "fixed literal/length", input: input),
                try HuffmanTable(lengths: [UInt8](repeating: 5, count: 30)[...], what: "fixed distance", input: input))
    }

    private func dynamicTables() throws -> (HuffmanTable, HuffmanTable) {
        let hlit = try input.bits(5) + 257, hdist = try input.bits(5) + 1, hclen = try input.bits(4) + 4
        guard hlit <= 286, hdist <= 30 else { throw input.error("dynamic block declares \(hlit) literal/length and \(hdist) distance codes (max 286 and 30)") }
        var cl = [UInt8](repeating: 0, count: 19)
        for i in 0..<hclen { cl[Self.codeLengthOrder[i]] = UInt8(try input.bits(3)) }
        let clTable = try HuffmanTable(lengths: cl[...], what: "code length", input: input)
        var lengths = [UInt8](repeating: 0, count: hlit + hdist)
        var i = 0
        while i < lengths.count {
            let sym = try clTable.decode(&input)
            var value: UInt8 = 0, repeatCount = 1
            switch sym {
            case 0...15: value = UInt8(sym)
            case 16:
                guard i > 0 else { throw input.error("code length repeat with no previous length") }
                value = lengths[i - 1]; repeatCount = 3 + (try input.bits(2))
            case 17: repeatCount = 3 + (try input.bits(3))
            default: repeatCount = 11 + (try input.bits(7))
            }
            guard i + repeatCount <= lengths.count else { throw input.error("code lengths overflow the declared \(lengths.count)") }
            for _ in 0..<repeatCount { lengths[i] = value; i += 1 }
        }
        guard lengths[256] != 0 else { throw input.error("dynamic block has no end-of-block code") }
        return (try HuffmanTable(lengths: lengths[0..<hlit], what: "literal/length", input: input),
                try HuffmanTable(lengths: lengths[hlit...], what: "distance", input: input))
    }

    private func huffmanBlock(_ lit: HuffmanTable, _ dist: HuffmanTable, _ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        // Locals, not properties, in the loop: see BitInput.
        var inp = input
        var produced = self.produced
        defer { input = inp; self.produced = produced }
        let w = window, mask = Self.mask
        while true {
            let sym = try lit.decode(&inp)
            if sym < 256 {
                w[produced & mask] = UInt8(sym)
                produced += 1
            } else if sym == 256 {
                return
            } else {
                let li = sym - 257
                guard li < 29 else { throw inp.error("invalid length symbol \(sym)") }
                let length = Self.lengthBase[li] + (try inp.bits(Self.lengthExtra[li]))
                let ds = try dist.decode(&inp)
                guard ds < 30 else { throw inp.error("invalid distance symbol \(ds)") }
                let distance = Self.distBase[ds] + (try inp.bits(Self.distExtra[ds]))
                guard distance <= produced, distance <= 32768 else {
                    throw inp.error("distance \(distance) reaches before the start of the output (\(produced) bytes so far)")
                }
                var from = produced - distance
                for _ in 0..<length {
                    w[produced & mask] = w[from & mask]
                    produced += 1
                    from += 1
                }
            }
            if produced - emitted >= 32768 {
                self.produced = produced
                try flush(sink)
            }
        }
    }
}
