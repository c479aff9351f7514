import Foundation

/// The windowed-sinc polyphase filter bank of torchaudio's `Resample` (`sinc_interp_hann`).
///
/// With the rates reduced by their gcd to `orig` → `new`, the bank has `new` phases of
/// `2 * width + orig` taps each. Tap k of phase j weights input sample `i * orig + k - width` for
/// output sample `i * new + j`:
///
///     base  = min(orig, new) * rolloff                       (cut-off, in units of the reduced rate)
///     width = ceil(lowpassFilterWidth * orig / base)
///     t     = clamp((−j / new + (k − width) / orig) * base, ±lowpassFilterWidth)   (−j / new in float32)
///     h     = sinc(π t) * cos²(π t / (2 * lowpassFilterWidth)) * base / orig
///
/// computed in Double and rounded to Float32, as `torchaudio.transforms.Resample` does (its
/// kernel is built in float64 and cast to float32). `torchaudio.functional.resample` builds the
/// same kernel in the waveform's dtype (float32); the two differ by ~1e-7 per tap.
public struct SincResampleKernel: Sendable, Equatable {
    /// Reduced input rate (original rate / gcd).
    public let orig: Int
    /// Reduced output rate (new rate / gcd).
    public let new: Int
    /// Zero padding on each side, in input samples.
    public let width: Int
    /// [new, 2 * width + orig] row-major float32 taps.
    public let taps: [Float]
    /// Per phase, the taps whose argument lies strictly inside the window (|t| < lowpassFilterWidth).
    /// Taps outside are cos²(±π/2) ≈ 4e-33 times a sinc value in torchaudio's kernel — below
    /// float32 resolution of any sum they enter — and are skipped by the fast filter.
    public let support: [Range<Int>]

    /// Taps per phase.
    public var length: Int { 2 * width + orig }

    /// - Parameters: rates in Hz (positive integers); `lowpassFilterWidth` > 0 zero crossings
    ///   per side; `rolloff` the cut-off as a fraction of the lower Nyquist rate.
    public init(fromRate: Int, toRate: Int, lowpassFilterWidth: Int = 6, rolloff: Double = 0.99) {
        precondition(fromRate > 0 && toRate > 0 && lowpassFilterWidth > 0 && rolloff > 0)
        let g = Self.gcd(fromRate, toRate)
        let orig = fromRate / g, new = toRate / g
        let lpw = Double(lowpassFilterWidth)
        let base = Double(min(orig, new)) * rolloff
        let width = Int((lpw * Double(orig) / base).rounded(.up))
        let n = 2 * width + orig
        let scale = base / Double(orig)
        var taps = [Float](repeating: 0, count: new * n)
        var support = [Range<Int>]()
        support.reserveCapacity(new)
        for j in 0..<new {
            var first = n, last = -1
            for k in 0..<n {
                // torchaudio forms −j/new from an integer arange, i.e. in the default dtype (float32).
                let phase = Double(Float(-j) / Float(new))
                let raw = (phase + Double(k - width) / Double(orig)) * base
                let t = min(max(raw, -lpw), lpw)
                let c = cos(t * Double.pi / lpw / 2)
                let window = c * c
                let x = t * Double.pi
                let sinc = x == 0 ? 1.0 : sin(x) / x
                taps[j * n + k] = Float(sinc * (window * scale))
                if abs(raw) < lpw { first = min(first, k); last = k }
            }
            support.append(first <= last ? first..<(last + 1) : 0..<0)
        }
        self.orig = orig
        self.new = new
        self.width = width
        self.taps = taps
        self.support = support
    }

    /// Greatest common divisor of two positive integers.
    static func gcd(_ a: Int, _ b: Int) -> Int {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }
}
