import Foundation

/// Band-limited sample-rate conversion equal to `torchaudio.transforms.Resample(fromRate, toRate)`
/// with its defaults (`sinc_interp_hann`, `lowpass_filter_width` 6, `rolloff` 0.99).
///
/// torchaudio pads the waveform with `width` zeros on the left and `width + orig` on the right,
/// convolves it with the `new` kernel phases at stride `orig`, interleaves the phases and keeps the
/// first `ceil(new * n / orig)` samples (rates reduced by their gcd). This type computes the same
/// sums with a polyphase filter: the padded input is split into `orig` decimated streams so that
/// each tap reads 16 consecutive outputs' inputs with one contiguous SIMD load.
///
/// Immutable and `Sendable`: build once per rate pair and share across threads.
public struct Resampler: Sendable {
    public let fromRate: Int
    public let toRate: Int
    public let kernel: SincResampleKernel

    /// Per phase j, the range of `tapCoefficients` / `tapOffsets` entries used.
    private let phaseTapRanges: [Range<Int>]
    /// Coefficient of each used tap.
    private let tapCoefficients: [Float]
    /// For each used tap k: the decimated input stream it reads (k % orig) and its shift in it (k / orig).
    private let tapStream: [Int]
    private let tapShift: [Int]

    /// Outputs computed together per phase (one SIMD16 accumulator).
    static let block = 16

    public init(fromRate: Int, toRate: Int, lowpassFilterWidth: Int = 6, rolloff: Double = 0.99) {
        self.fromRate = fromRate
        self.toRate = toRate
        let kernel = SincResampleKernel(fromRate: fromRate, toRate: toRate,
                                        lowpassFilterWidth: lowpassFilterWidth, rolloff: rolloff)
        self.kernel = kernel
        var ranges = [Range<Int>](), coef = [Float](), stream = [Int](), shift = [Int]()
        for j in 0..<kernel.new {
            let start = coef.count
            for k in kernel.support[j] {
                coef.append(kernel.taps[j * kernel.length + k])
                stream.append(k % kernel.orig)
                shift.append(k / kernel.orig)
            }
            ranges.append(start..<coef.count)
        }
        phaseTapRanges = ranges
        tapCoefficients = coef
        tapStream = stream
        tapShift = shift
    }

    /// Output samples for `inputLength` input samples: ceil(new * n / orig) (torchaudio's rule).
    public func outputLength(inputLength n: Int) -> Int {
        if fromRate == toRate { return n }
        return (kernel.new * n + kernel.orig - 1) / kernel.orig
    }

    /// Resamples a mono waveform. Equal rates return the input unchanged (as torchaudio does).
    public func resample(_ x: [Float]) -> [Float] {
        if fromRate == toRate { return x }
        let n = x.count
        let target = outputLength(inputLength: n)
        if target == 0 { return [] }
        let orig = kernel.orig, new = kernel.new, width = kernel.width
        let block = Self.block
        let perPhase = (target + new - 1) / new
        let blocks = (perPhase + block - 1) / block
        // Stream r holds padded[m * orig + r], padded[p] = x[p - width] (zero outside).
        let stride = blocks * block + kernel.length / orig + 2
        var streams = [Float](repeating: 0, count: orig * stride)
        streams.withUnsafeMutableBufferPointer { s in
            x.withUnsafeBufferPointer { xs in
                for i in 0..<n {
                    let p = i + width
                    s[(p % orig) * stride + p / orig] = xs[i]
                }
            }
        }
        var y = [Float](repeating: 0, count: target)
        streams.withUnsafeBufferPointer { s in
            tapCoefficients.withUnsafeBufferPointer { coef in
            tapStream.withUnsafeBufferPointer { tStream in
            tapShift.withUnsafeBufferPointer { tShift in
            y.withUnsafeMutableBufferPointer { out in
                let base = UnsafeRawPointer(s.baseAddress!)
                let fsize = MemoryLayout<Float>.stride
                for b in 0..<blocks {
                    let i0 = b * block
                    for j in 0..<new {
                        var acc = SIMD16<Float>(repeating: 0)
                        for t in phaseTapRanges[j] {
                            let off = (tStream[t] * stride + tShift[t] + i0) * fsize
                            let v = base.loadUnaligned(fromByteOffset: off, as: SIMD16<Float>.self)
                            acc += SIMD16<Float>(repeating: coef[t]) * v
                        }
                        var idx = i0 * new + j
                        for l in 0..<block {
                            if idx >= target { break }
                            out[idx] = acc[l]
                            idx += new
                        }
                    }
                }
            }
            }
            }
            }
        }
        return y
    }

    /// Resamples with a freshly built `Resampler` (convenience for one-off calls; build a
    /// `Resampler` once when converting many waveforms).
    public static func resample(_ x: [Float], from fromRate: Int, to toRate: Int) -> [Float] {
        Resampler(fromRate: fromRate, toRate: toRate).resample(x)
    }
}
