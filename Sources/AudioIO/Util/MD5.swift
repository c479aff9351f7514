import Foundation

/// Streaming MD5 (RFC 1321), used for the FLAC STREAMINFO audio signature.
public struct MD5 {
    private var state: (UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476)
    private var buffer = [UInt8](repeating: 0, count: 64)
    private var buffered = 0
    private var length: UInt64 = 0

    public init() {}

    private static let shifts: [UInt32] = [7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                                           5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
                                           4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                                           6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21]
    /// K[i] = floor(2³² · |sin(i + 1)|).
    private static let constants: [UInt32] = (0..<64).map { UInt32(truncatingIfNeeded: Int64((abs(sin(Double($0 + 1))) * 4_294_967_296).rounded(.down))) }

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

    private mutating func compress(_ block: UnsafeRawPointer) {
        var m = (UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0),
                 UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0))
        withUnsafeMutableBytes(of: &m) { w in
            for i in 0..<16 {
                w.storeBytes(of: UInt32(littleEndian: block.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)),
                             toByteOffset: 4 * i, as: UInt32.self)
            }
        }
        var (a, b, c, d) = state
        withUnsafeBytes(of: &m) { wr in
            let w = wr.bindMemory(to: UInt32.self)
            MD5.constants.withUnsafeBufferPointer { k in
                MD5.shifts.withUnsafeBufferPointer { s in
                    for i in 0..<64 {
                        var f: UInt32
                        let g: Int
                        switch i >> 4 {
                        case 0: f = (b & c) | (~b & d); g = i
                        case 1: f = (d & b) | (~d & c); g = (5 &* i &+ 1) & 15
                        case 2: f = b ^ c ^ d; g = (3 &* i &+ 5) & 15
                        default: f = c ^ (b | ~d); g = (7 &* i) & 15
                        }
                        f = f &+ a &+ k[i] &+ w[g]
                        a = d; d = c; c = b
                        b = b &+ (f << s[i] | f >> (32 &- s[i]))
                    }
                }
            }
        }
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d)
    }
}
