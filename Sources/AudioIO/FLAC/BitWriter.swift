/// MSB-first bit writer appending to a byte array (64-bit accumulator).
struct BitWriter {
    private(set) var bytes: [UInt8] = []
    private var acc: UInt64 = 0
    /// Bits held in `acc` (right-aligned), 0...63.
    private var held = 0

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    /// Bits written so far.
    var bitCount: Int { bytes.count * 8 + held }

    /// Appends the low `n` bits of `v` (0...32).
    @inline(__always) mutating func write(_ v: UInt32, _ n: Int) {
        if n == 0 { return }
        let masked = UInt64(v) & ((1 << UInt64(n)) - 1)
        acc = acc << UInt64(n) | masked
        held += n
        while held >= 8 {
            held -= 8
            bytes.append(UInt8(truncatingIfNeeded: acc >> UInt64(held)))
        }
    }

    /// Appends `v` as an `n`-bit two's-complement value (v must fit).
    @inline(__always) mutating func writeSigned(_ v: Int64, _ n: Int) {
        write(UInt32(truncatingIfNeeded: v), n)
    }

    /// Appends `count` zero bits then a one bit.
    mutating func writeUnary(_ count: Int) {
        var z = count
        while z >= 32 { write(0, 32); z -= 32 }
        write(1, z + 1)
    }

    /// Pads with zero bits to a byte boundary.
    mutating func alignToByte() {
        if held > 0 { write(0, 8 - held) }
    }

    /// Appends whole bytes (the writer must be byte-aligned).
    mutating func append(contentsOf b: [UInt8]) {
        precondition(held == 0, "unaligned byte append")
        bytes.append(contentsOf: b)
    }
}
