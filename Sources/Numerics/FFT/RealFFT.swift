import Foundation

/// The DFT of a real signal of even length n, bins 0…n/2 (numpy.fft.rfft's convention):
///
///     X[s] = Σ_t x[t] · exp(−2πi · s · t / n),   s ∈ [0, n/2]
///
/// Computed with one complex FFT of length n/2 on z[t] = x[2t] + i·x[2t+1] and the split step
/// X[s] = E[s] + ω_n^s · O[s], E = (Z[s] + conj Z[n/2−s]) / 2, O = (Z[s] − conj Z[n/2−s]) / 2i.
/// Immutable and `Sendable`; callers provide a `Workspace` per thread.
public struct RealFFT: Sendable {
    public let length: Int
    public var binCount: Int { length / 2 + 1 }
    private let half: FFT
    /// ω_n^s = exp(−2πi s / n), s ∈ [0, n/2].
    private let splitRe: [Float]
    private let splitIm: [Float]

    /// Scratch memory for one transform at a time (not thread-safe; one per thread).
    public final class Workspace {
        var zr: [Float], zi: [Float], sr: [Float], si: [Float]
        public init(length: Int) {
            let h = max(length / 2, 1)
            zr = [Float](repeating: 0, count: h); zi = zr; sr = zr; si = zr
        }
    }

    /// - Parameter n: even transform length ≥ 2.
    public init(length n: Int) {
        precondition(n >= 2 && n % 2 == 0, "RealFFT length must be even and ≥ 2")
        length = n
        half = FFT(length: n / 2)
        splitRe = (0...(n / 2)).map { Float(cos(-2.0 * Double.pi * Double($0) / Double(n))) }
        splitIm = (0...(n / 2)).map { Float(sin(-2.0 * Double.pi * Double($0) / Double(n))) }
    }

    public func makeWorkspace() -> Workspace { Workspace(length: length) }

    /// Transforms `x` (`length` values) into `re`, `im` (`binCount` values each).
    public func forward(_ x: UnsafePointer<Float>, re: UnsafeMutablePointer<Float>, im: UnsafeMutablePointer<Float>,
                        workspace w: Workspace) {
        let h = length / 2
        w.zr.withUnsafeMutableBufferPointer { zr in
        w.zi.withUnsafeMutableBufferPointer { zi in
        w.sr.withUnsafeMutableBufferPointer { sr in
        w.si.withUnsafeMutableBufferPointer { si in
        splitRe.withUnsafeBufferPointer { cr in
        splitIm.withUnsafeBufferPointer { ci in
            for t in 0..<h { zr[t] = x[2 * t]; zi[t] = x[2 * t + 1] }
            half.forward(re: zr.baseAddress!, im: zi.baseAddress!, scratchRe: sr.baseAddress!, scratchIm: si.baseAddress!)
            for s in 0...h {
                let a = s == h ? 0 : s, b = s == 0 ? 0 : h - s     // Z[s], Z[h − s] (indices mod h)
                let pr = zr[a], pi = zi[a], qr = zr[b], qi = -zi[b]  // q = conj Z[h − s]
                let er = 0.5 * (pr + qr), ei = 0.5 * (pi + qi)
                // O = (p − q) / 2i = ((pi − qi) − i (pr − qr)) / 2
                let or = 0.5 * (pi - qi), oi = -0.5 * (pr - qr)
                re[s] = er + cr[s] * or - ci[s] * oi
                im[s] = ei + cr[s] * oi + ci[s] * or
            }
        }
        }
        }
        }
        }
        }
    }

    /// Transforms an array (allocates; convenient, not for hot loops). Returns (re, im), `binCount` each.
    public func forward(_ x: [Float]) -> (re: [Float], im: [Float]) {
        precondition(x.count == length, "RealFFT input length mismatch")
        var re = [Float](repeating: 0, count: binCount), im = re
        let w = makeWorkspace()
        x.withUnsafeBufferPointer { xs in
            re.withUnsafeMutableBufferPointer { r in
                im.withUnsafeMutableBufferPointer { i in
                    forward(xs.baseAddress!, re: r.baseAddress!, im: i.baseAddress!, workspace: w)
                }
            }
        }
        return (re, im)
    }
}
