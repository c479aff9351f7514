import Foundation
import EngramCore

/// Synthetic latents with planted, exactly known structure, for checking the analysis end to end.
///
/// Each utterance has one regime r ∈ 0..<R for its whole length (the regime persists, so the
/// context always determines the regime of the next step). Its frames x_t ∈ ℝ^D have two parts:
/// - *marker* dims 0..<R: x_t[m] = A·[m == r] (the regime, visible in every context; Δx = 0 there);
/// - *drift* dims R..<D: a random walk x_t = x_{t−1} + μ_r + ε_t, ε_t ~ N(0, s²·I), where
///   μ_{r,d} = a·h_{r,d}, h_{r,d} = ±1 drawn once from the seed.
/// Regimes are assigned round-robin over each speaker's utterances (offset by the speaker), so
/// every regime has the same share of frames when all utterances have the same length.
///
/// Normalised Δx in a drift dim d has variance s² + V_d, V_d = Var_r(μ_{r,d}) (population over the
/// R equally likely regimes), and variance s² within a regime; marker dims have Δx ≡ 0 and add
/// nothing to either sum. Clustering that recovers the regimes therefore has
///     VR = (1/|drift|) Σ_d s² / (s² + V_d)
/// (up to sampling noise and a small K/N bias from fitting cluster means). With R = 1 (or a = 0)
/// there is no structure and VR ≈ 1.
///
/// `kind = .markov` is a stationary alternative for benchmarks at scale (no closed-form VR): the
/// regime changes within an utterance (a Markov chain that keeps its state with probability `stay`,
/// else jumps to one of the other R − 1 uniformly), and every dim is
/// x_t = o_u + c_{s_t} + e_t, with a per-utterance offset o_u ~ N(0, 1), regime centres c_{r,d} = a·h_{r,d}
/// (h = ±1 as above, all dims) and AR(1) noise e_t = φ·e_{t−1} + √(1 − φ²)·s·ε_t, φ = `noiseCorrelation`.
/// Context means then mix a few regimes, as phone-like states do in speech latents, so k-means
/// sees overlapping clusters rather than a random walk's ever-growing spread.
public struct RegimeProcess: Sendable {
    public enum Kind: String, Sendable, CaseIterable { case walk, markov }
    public var kind = Kind.walk
    /// `.markov`: probability that the regime stays the same from one frame to the next.
    public var stay = 0.8
    /// `.markov`: AR(1) coefficient φ of the noise.
    public var noiseCorrelation = 0.5
    public var utterancesPerSpeaker = 8
    public var frames = 64
    public var dim = 16
    public var regimes = 4
    /// s, the noise std of Δx in drift dims.
    public var noise = 0.5
    /// a, the magnitude of the regime drift per dim.
    public var drift = 1.0
    /// A, the marker amplitude.
    public var marker = 20.0
    public var speakers = 10
    public var seed: UInt64 = 42
    public var frameRate = 12.5

    public init() {}

    /// First speaker id (ids are `firstSpeaker ..< firstSpeaker + speakers`).
    public static let firstSpeaker = 100

    public func validate() throws {
        guard regimes >= 1, dim > regimes else { throw EngramError("synth-latents", "need 1 ≤ regimes < dim (got regimes \(regimes), dim \(dim))") }
        guard speakers >= 2, utterancesPerSpeaker >= 1, frames >= 2 else {
            throw EngramError("synth-latents", "need ≥ 2 speakers, ≥ 1 utterance each and ≥ 2 frames")
        }
        guard (0...1).contains(stay), noiseCorrelation > -1, noiseCorrelation < 1 else {
            throw EngramError("synth-latents", "need 0 ≤ stay ≤ 1 and −1 < noise correlation < 1")
        }
        guard noise > 0, noise.isFinite, drift >= 0, drift.isFinite, marker.isFinite else {
            throw EngramError("synth-latents", "noise must be > 0 and drift/marker finite")
        }
    }

    /// μ [R, D] (zero in marker dims).
    public var regimeDrifts: [Double] {
        var rng = EngramCore.SplitMix64(seed: seed, stream: 0xD81F7)
        var mu = [Double](repeating: 0, count: regimes * dim)
        let first = kind == .walk ? regimes : 0
        for r in 0..<regimes { for d in first..<dim { mu[r * dim + d] = (rng.next() & 1 == 0 ? 1 : -1) * drift } }
        return mu
    }

    /// The VR of the true regimes (closed form above; NaN for `.markov`, which has none).
    public var expectedVarianceRatio: Double {
        if kind == .markov { return .nan }
        let mu = regimeDrifts
        let s2 = noise * noise
        var acc = 0.0
        for d in regimes..<dim {
            var m = 0.0, q = 0.0
            for r in 0..<regimes { m += mu[r * dim + d]; q += mu[r * dim + d] * mu[r * dim + d] }
            m /= Double(regimes); q /= Double(regimes)
            acc += s2 / (s2 + (q - m * m))
        }
        return acc / Double(dim - regimes)
    }

    public struct Utterance: Sendable {
        public var id: String
        public var speaker: Int
        public var regime: Int
        /// [T, D] row-major float32.
        public var x: [Float]
        /// [T] float32, RMS-like positive values.
        public var energy: [Float]
    }

    /// Utterance `u` of speaker index `k` (0-based), deterministic in (seed, k, u).
    /// Id of utterance `u` of speaker index `k`.
    public static func utteranceId(speaker: Int, index u: Int) -> String { "\(speaker)-1-\(String(format: "%04d", u))" }

    public func utterance(speakerIndex k: Int, index u: Int, drifts mu: [Double]) -> Utterance {
        if kind == .markov { return markovUtterance(speakerIndex: k, index: u, centres: mu) }
        let speaker = Self.firstSpeaker + k
        let regime = (u + k) % regimes
        var rng = EngramCore.SplitMix64(seed: seed, stream: UInt64(k * 100_003 + u + 1))
        var x = [Float](repeating: 0, count: frames * dim)
        var level = [Double](repeating: 0, count: dim)
        for d in regimes..<dim { level[d] = rng.normal() }
        var energy = [Float](repeating: 0, count: frames)
        for t in 0..<frames {
            for d in 0..<regimes { x[t * dim + d] = d == regime ? Float(marker) : 0 }
            for d in regimes..<dim {
                if t > 0 { level[d] += mu[regime * dim + d] + noise * rng.normal() }
                x[t * dim + d] = Float(level[d])
            }
            energy[t] = Float(0.01 + 0.1 * rng.nextDouble())
        }
        return Utterance(id: Self.utteranceId(speaker: speaker, index: u), speaker: speaker, regime: regime, x: x, energy: energy)
    }

    /// `.markov` utterance; `regime` is the first frame's regime.
    func markovUtterance(speakerIndex k: Int, index u: Int, centres c: [Double]) -> Utterance {
        let speaker = Self.firstSpeaker + k
        var rng = EngramCore.SplitMix64(seed: seed, stream: UInt64(k * 100_003 + u + 1))
        var x = [Float](repeating: 0, count: frames * dim)
        let offset = (0..<dim).map { _ in rng.normal() }
        let phi = noiseCorrelation, innovation = (1 - phi * phi).squareRoot() * noise
        var e = (0..<dim).map { _ in noise * rng.normal() }
        var s = rng.nextInt(below: regimes)
        let first = s
        var energy = [Float](repeating: 0, count: frames)
        for t in 0..<frames {
            if t > 0 {
                if regimes > 1 && rng.nextDouble() >= stay { s = (s + 1 + rng.nextInt(below: regimes - 1)) % regimes }
                for d in 0..<dim { e[d] = phi * e[d] + innovation * rng.normal() }
            }
            for d in 0..<dim { x[t * dim + d] = Float(offset[d] + c[s * dim + d] + e[d]) }
            energy[t] = Float(0.01 + 0.1 * rng.nextDouble())
        }
        return Utterance(id: Self.utteranceId(speaker: speaker, index: u), speaker: speaker, regime: first, x: x, energy: energy)
    }

    /// All utterances, speaker by speaker.
    public func generate() -> [Utterance] {
        let mu = regimeDrifts
        var out: [Utterance] = []
        for k in 0..<speakers { for u in 0..<utterancesPerSpeaker { out.append(utterance(speakerIndex: k, index: u, drifts: mu)) } }
        return out
    }
}
