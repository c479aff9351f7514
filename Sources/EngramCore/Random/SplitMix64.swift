import Foundation

/// SplitMix64 (Steele, Lea & Flood 2014; Vigna's reference `splitmix64.c`): a tiny, fast 64-bit
/// generator for our own seeded uses (demo corpus synthesis, permutations). Value type: copying it
/// forks the stream. Not Python-compatible; use `PythonRandom` where the research pipeline used
/// `random.Random`.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for sub-stream `stream` of `seed` (e.g. one per utterance), independent of
    /// how many values other streams draw: seeded with two SplitMix64 finalisations of (seed, stream).
    public init(seed: UInt64, stream: UInt64) {
        var g = SplitMix64(seed: seed)
        let a = g.next()
        var h = SplitMix64(seed: a ^ (stream &* 0xD1B5_4A32_D192_ED03))
        state = h.next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextDouble() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Uniform in [a, b).
    public mutating func uniform(_ a: Double, _ b: Double) -> Double {
        a + (b - a) * nextDouble()
    }

    /// Uniform integer in [0, n), unbiased (rejection on the top of the range). Requires n > 0.
    public mutating func nextInt(below n: Int) -> Int {
        precondition(n > 0, "nextInt(below:) needs n > 0")
        let bound = UInt64(n)
        let limit = UInt64.max - UInt64.max % bound
        var r = next()
        while r >= limit { r = next() }
        return Int(r % bound)
    }

    /// Standard normal draw (Box–Muller, one of the pair; uses two uniforms).
    public mutating func normal() -> Double {
        let u1 = 1.0 - nextDouble() // (0, 1]
        let u2 = nextDouble()
        return (-2.0 * log(u1)).squareRoot() * cos(2.0 * Double.pi * u2)
    }
}
