/// CPython's `random.Random` for integer seeds, bit for bit: the MT19937 Mersenne Twister seeded
/// with `init_by_array` over the 32-bit chunks of |seed| (least significant first), and the
/// pure-Python methods built on it (`getrandbits`, `_randbelow`, `shuffle`, `random`) as in
/// CPython 3.11 `Lib/random.py` and `Modules/_randommodule.c`.
///
/// Used wherever the research pipeline used `random.Random(seed)` (speaker and utterance splits),
/// so the same seed gives the same lists.
public struct PythonRandom: Sendable {
    static let n = 624
    static let m = 397
    static let matrixA: UInt32 = 0x9908_B0DF
    static let upperMask: UInt32 = 0x8000_0000
    static let lowerMask: UInt32 = 0x7FFF_FFFF

    /// The 624-word state vector.
    public private(set) var mt: [UInt32]
    /// Position of the next word in `mt` (624 = regenerate first), as in `getstate()[1][-1]`.
    public private(set) var index: Int

    /// `random.Random(seed)` for an integer seed (the sign is ignored, as in CPython).
    public init(seed: Int) {
        self.init(seed: UInt64(seed.magnitude))
    }

    /// `random.Random(seed)` for a non-negative 64-bit seed.
    public init(seed: UInt64) {
        self.init(key: [UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32)])
    }

    /// `random.Random(seed)` for an integer of any size given as its 32-bit chunks, least
    /// significant first (`key[i] = (|seed| >> 32·i) & 0xFFFFFFFF`). High zero chunks are ignored.
    public init(key: [UInt32]) {
        var used = key.count
        while used > 1 && key[used - 1] == 0 { used -= 1 }
        let k = used == 0 ? [UInt32(0)] : Array(key[0..<used])
        mt = [UInt32](repeating: 0, count: Self.n)
        index = Self.n
        initByArray(k)
    }

    /// `init_genrand(s)`: the linear-congruential fill of the state.
    private mutating func initGenrand(_ s: UInt32) {
        mt[0] = s
        for i in 1..<Self.n {
            mt[i] = 1_812_433_253 &* (mt[i - 1] ^ (mt[i - 1] >> 30)) &+ UInt32(i)
        }
        index = Self.n
    }

    /// `init_by_array(key)` (Matsumoto & Nishimura, 2002), as called by CPython's `random_seed`.
    private mutating func initByArray(_ key: [UInt32]) {
        let n = Self.n
        initGenrand(19_650_218)
        var i = 1, j = 0
        for _ in 0..<max(n, key.count) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) &* 1_664_525)) &+ key[j] &+ UInt32(truncatingIfNeeded: j)
            i += 1; j += 1
            if i >= n { mt[0] = mt[n - 1]; i = 1 }
            if j >= key.count { j = 0 }
        }
        for _ in 0..<(n - 1) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) &* 1_566_083_941)) &- UInt32(i)
            i += 1
            if i >= n { mt[0] = mt[n - 1]; i = 1 }
        }
        mt[0] = 0x8000_0000
    }

    /// Regenerates the 624 words (the "twist").
    private mutating func twist() {
        let n = Self.n, m = Self.m
        mt.withUnsafeMutableBufferPointer { s in
            @inline(__always) func mix(_ a: UInt32, _ b: UInt32, _ c: UInt32) -> UInt32 {
                let y = (a & Self.upperMask) | (b & Self.lowerMask)
                return c ^ (y >> 1) ^ ((y & 1) == 0 ? 0 : Self.matrixA)
            }
            for kk in 0..<(n - m) { s[kk] = mix(s[kk], s[kk + 1], s[kk + m]) }
            for kk in (n - m)..<(n - 1) { s[kk] = mix(s[kk], s[kk + 1], s[kk + m - n]) }
            s[n - 1] = mix(s[n - 1], s[0], s[m - 1])
        }
        index = 0
    }

    /// `genrand_uint32`: the next tempered 32-bit output.
    public mutating func nextUInt32() -> UInt32 {
        if index >= Self.n { twist() }
        var y = mt[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    /// `getrandbits(k)` for 0 ≤ k ≤ 64: k ≤ 32 takes the top k bits of one output; larger k fills
    /// 32-bit words least significant first, the last word keeping its top bits.
    public mutating func getrandbits(_ k: Int) -> UInt64 {
        precondition(k >= 0 && k <= 64, "getrandbits supports 0...64 bits")
        if k == 0 { return 0 }
        if k <= 32 { return UInt64(nextUInt32() >> UInt32(32 - k)) }
        let low = UInt64(nextUInt32())
        let high = UInt64(nextUInt32() >> UInt32(64 - k))
        return low | high << 32
    }

    /// `_randbelow(n)` (`_randbelow_with_getrandbits`): uniform in [0, n) by drawing
    /// `n.bit_length()` bits and rejecting values ≥ n. Requires n > 0.
    public mutating func randbelow(_ n: Int) -> Int {
        precondition(n > 0, "randbelow needs n > 0")
        let k = Int.bitWidth - n.leadingZeroBitCount
        var r = getrandbits(k)
        while r >= UInt64(n) { r = getrandbits(k) }
        return Int(r)
    }

    /// `shuffle(x)`: for i from count−1 down to 1, swap x[i] with x[randbelow(i + 1)].
    public mutating func shuffle<T>(_ x: inout [T]) {
        var i = x.count - 1
        while i >= 1 {
            let j = randbelow(i + 1)
            x.swapAt(i, j)
            i -= 1
        }
    }

    /// `random()`: a float in [0, 1) with 53 random bits, (a·2²⁶ + b) / 2⁵³ with a = 27 and b = 26 bits.
    public mutating func random() -> Double {
        let a = Double(nextUInt32() >> 5), b = Double(nextUInt32() >> 6)
        return (a * 67_108_864.0 + b) * (1.0 / 9_007_199_254_740_992.0)
    }
}
