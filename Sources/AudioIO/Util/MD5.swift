/// Streaming MD5 (RFC 1321), used for the FLAC STREAMINFO audio signature.
public struct MD5 {
    private var state: (UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476)
    private var buffer = [UInt8](repeating: 0, count: 64)
    private var buffered = 0
    private var length: UInt64 = 0

    public init() {}

    /// Feeds `count` bytes at `p`.
    public mutating func update(_ p: UnsafeRawPointer, count: Int) {
        length &+= UInt64(count)
        var p = p.assumingMemoryBound(to: UInt8.self)
        var n = count
        if buffered > 0 {
            let take = min(64 - buffered, n)
            for i in 0..<take { buffer[buffered + i] = p[i] }
            buffered += take; p += take; n -= take
            if buffered == 64 {
                buffer.withUnsafeBufferPointer { b in compress(UnsafeRawPointer(b.baseAddress!)) }
                buffered = 0
            }
        }
        while n >= 64 {
            compress(UnsafeRawPointer(p))
            p += 64; n -= 64
        }
        for i in 0..<n { buffer[i] = p[i] }
        buffered += n
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { if let b = $0.baseAddress { update(b, count: $0.count) } }
    }

    /// Pads, processes the last block and returns the 16-byte digest.
    public mutating func finalize() -> [UInt8] {
        let bitLength = length &* 8
        var pad: [UInt8] = [0x80]
        let afterPad = (buffered + 1) % 64
        pad += [UInt8](repeating: 0, count: afterPad <= 56 ? 56 - afterPad : 120 - afterPad)
        for i in 0..<8 { pad.append(UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64(i)))) }
        let saved = length
        update(pad)
        length = saved
        var out = [UInt8]()
        for w in [state.0, state.1, state.2, state.3] { for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: w >> (8 * UInt32(i)))) } }
        return out
    }

    /// MD5 of a byte array.
    public static func digest(_ bytes: [UInt8]) -> [UInt8] {
        var m = MD5()
        m.update(bytes)
        return m.finalize()
    }

    /// One 64-byte block; the 64 steps of RFC 1321 §3.4 written out (generated), constants inline.
    private mutating func compress(_ p: UnsafeRawPointer) {
        @inline(__always) func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 { x << n | x >> (32 - n) }
        let w0 = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
        let w1 = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        let w2 = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        let w3 = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 12, as: UInt32.self))
        let w4 = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
        let w5 = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 20, as: UInt32.self))
        let w6 = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 24, as: UInt32.self))
        let w7 = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 28, as: UInt32.self))
        let w8 = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 32, as: UInt32.self))
        let w9 = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 36, as: UInt32.self))
        let w10 = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 40, as: UInt32.self))
        let w11 = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 44, as: UInt32.self))
        let w12 = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 48, as: UInt32.self))
        let w13 = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 52, as: UInt32.self))
        let w14 = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 56, as: UInt32.self))
        let w15 = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 60, as: UInt32.self))
        var (a, b, c, d) = state
        a = b &+ rotl(a &+ ((b & c) | (~b & d)) &+ 0xD76AA478 &+ w0, 7)
        d = a &+ rotl(d &+ ((a & b) | (~a & c)) &+ 0xE8C7B756 &+ w1, 12)
        c = d &+ rotl(c &+ ((d & a) | (~d & b)) &+ 0x242070DB &+ w2, 17)
        b = c &+ rotl(b &+ ((c & d) | (~c & a)) &+ 0xC1BDCEEE &+ w3, 22)
        a = b &+ rotl(a &+ ((b & c) | (~b & d)) &+ 0xF57C0FAF &+ w4, 7)
        d = a &+ rotl(d &+ ((a & b) | (~a & c)) &+ 0x4787C62A &+ w5, 12)
        c = d &+ rotl(c &+ ((d & a) | (~d & b)) &+ 0xA8304613 &+ w6, 17)
        b = c &+ rotl(b &+ ((c & d) | (~c & a)) &+ 0xFD469501 &+ w7, 22)
        a = b &+ rotl(a &+ ((b & c) | (~b & d)) &+ 0x698098D8 &+ w8, 7)
        d = a &+ rotl(d &+ ((a & b) | (~a & c)) &+ 0x8B44F7AF &+ w9, 12)
        c = d &+ rotl(c &+ ((d & a) | (~d & b)) &+ 0xFFFF5BB1 &+ w10, 17)
        b = c &+ rotl(b &+ ((c & d) | (~c & a)) &+ 0x895CD7BE &+ w11, 22)
        a = b &+ rotl(a &+ ((b & c) | (~b & d)) &+ 0x6B901122 &+ w12, 7)
        d = a &+ rotl(d &+ ((a & b) | (~a & c)) &+ 0xFD987193 &+ w13, 12)
        c = d &+ rotl(c &+ ((d & a) | (~d & b)) &+ 0xA679438E &+ w14, 17)
        b = c &+ rotl(b &+ ((c & d) | (~c & a)) &+ 0x49B40821 &+ w15, 22)
        a = b &+ rotl(a &+ ((d & b) | (~d & c)) &+ 0xF61E2562 &+ w1, 5)
        d = a &+ rotl(d &+ ((c & a) | (~c & b)) &+ 0xC040B340 &+ w6, 9)
        c = d &+ rotl(c &+ ((b & d) | (~b & a)) &+ 0x265E5A51 &+ w11, 14)
        b = c &+ rotl(b &+ ((a & c) | (~a & d)) &+ 0xE9B6C7AA &+ w0, 20)
        a = b &+ rotl(a &+ ((d & b) | (~d & c)) &+ 0xD62F105D &+ w5, 5)
        d = a &+ rotl(d &+ ((c & a) | (~c & b)) &+ 0x02441453 &+ w10, 9)
        c = d &+ rotl(c &+ ((b & d) | (~b & a)) &+ 0xD8A1E681 &+ w15, 14)
        b = c &+ rotl(b &+ ((a & c) | (~a & d)) &+ 0xE7D3FBC8 &+ w4, 20)
        a = b &+ rotl(a &+ ((d & b) | (~d & c)) &+ 0x21E1CDE6 &+ w9, 5)
        d = a &+ rotl(d &+ ((c & a) | (~c & b)) &+ 0xC33707D6 &+ w14, 9)
        c = d &+ rotl(c &+ ((b & d) | (~b & a)) &+ 0xF4D50D87 &+ w3, 14)
        b = c &+ rotl(b &+ ((a & c) | (~a & d)) &+ 0x455A14ED &+ w8, 20)
        a = b &+ rotl(a &+ ((d & b) | (~d & c)) &+ 0xA9E3E905 &+ w13, 5)
        d = a &+ rotl(d &+ ((c & a) | (~c & b)) &+ 0xFCEFA3F8 &+ w2, 9)
        c = d &+ rotl(c &+ ((b & d) | (~b & a)) &+ 0x676F02D9 &+ w7, 14)
        b = c &+ rotl(b &+ ((a & c) | (~a & d)) &+ 0x8D2A4C8A &+ w12, 20)
        a = b &+ rotl(a &+ (b ^ c ^ d) &+ 0xFFFA3942 &+ w5, 4)
        d = a &+ rotl(d &+ (a ^ b ^ c) &+ 0x8771F681 &+ w8, 11)
        c = d &+ rotl(c &+ (d ^ a ^ b) &+ 0x6D9D6122 &+ w11, 16)
        b = c &+ rotl(b &+ (c ^ d ^ a) &+ 0xFDE5380C &+ w14, 23)
        a = b &+ rotl(a &+ (b ^ c ^ d) &+ 0xA4BEEA44 &+ w1, 4)
        d = a &+ rotl(d &+ (a ^ b ^ c) &+ 0x4BDECFA9 &+ w4, 11)
        c = d &+ rotl(c &+ (d ^ a ^ b) &+ 0xF6BB4B60 &+ w7, 16)
        b = c &+ rotl(b &+ (c ^ d ^ a) &+ 0xBEBFBC70 &+ w10, 23)
        a = b &+ rotl(a &+ (b ^ c ^ d) &+ 0x289B7EC6 &+ w13, 4)
        d = a &+ rotl(d &+ (a ^ b ^ c) &+ 0xEAA127FA &+ w0, 11)
        c = d &+ rotl(c &+ (d ^ a ^ b) &+ 0xD4EF3085 &+ w3, 16)
        b = c &+ rotl(b &+ (c ^ d ^ a) &+ 0x04881D05 &+ w6, 23)
        a = b &+ rotl(a &+ (b ^ c ^ d) &+ 0xD9D4D039 &+ w9, 4)
        d = a &+ rotl(d &+ (a ^ b ^ c) &+ 0xE6DB99E5 &+ w12, 11)
        c = d &+ rotl(c &+ (d ^ a ^ b) &+ 0x1FA27CF8 &+ w15, 16)
        b = c &+ rotl(b &+ (c ^ d ^ a) &+ 0xC4AC5665 &+ w2, 23)
        a = b &+ rotl(a &+ (c ^ (b | ~d)) &+ 0xF4292244 &+ w0, 6)
        d = a &+ rotl(d &+ (b ^ (a | ~c)) &+ 0x432AFF97 &+ w7, 10)
        c = d &+ rotl(c &+ (a ^ (d | ~b)) &+ 0xAB9423A7 &+ w14, 15)
        b = c &+ rotl(b &+ (d ^ (c | ~a)) &+ 0xFC93A039 &+ w5, 21)
        a = b &+ rotl(a &+ (c ^ (b | ~d)) &+ 0x655B59C3 &+ w12, 6)
        d = a &+ rotl(d &+ (b ^ (a | ~c)) &+ 0x8F0CCC92 &+ w3, 10)
        c = d &+ rotl(c &+ (a ^ (d | ~b)) &+ 0xFFEFF47D &+ w10, 15)
        b = c &+ rotl(b &+ (d ^ (c | ~a)) &+ 0x85845DD1 &+ w1, 21)
        a = b &+ rotl(a &+ (c ^ (b | ~d)) &+ 0x6FA87E4F &+ w8, 6)
        d = a &+ rotl(d &+ (b ^ (a | ~c)) &+ 0xFE2CE6E0 &+ w15, 10)
        c = d &+ rotl(c &+ (a ^ (d | ~b)) &+ 0xA3014314 &+ w6, 15)
        b = c &+ rotl(b &+ (d ^ (c | ~a)) &+ 0x4E0811A1 &+ w13, 21)
        a = b &+ rotl(a &+ (c ^ (b | ~d)) &+ 0xF7537E82 &+ w4, 6)
        d = a &+ rotl(d &+ (b ^ (a | ~c)) &+ 0xBD3AF235 &+ w11, 10)
        c = d &+ rotl(c &+ (a ^ (d | ~b)) &+ 0x2AD7D2BB &+ w2, 15)
        b = c &+ rotl(b &+ (d ^ (c | ~a)) &+ 0xEB86D391 &+ w9, 21)
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d)
    }
}
