import Foundation

/// Band-limited sample-rate conversion equal to `torchaudio.transforms.Resample(fromRate, toRate)`
/// with its defaults (`sinc_interp_hann`, `lowpass_filter_width` 6, `rolloff` 0.99).
///
/// torchaudio pads the waveform with `width` zeros on the left and `width + orig` on the right,
/// convolves it with the `new` kernel phases at stride `orig`, interleaves the phases and keeps the
/// first `ceil(new * n / orig)` samples (rates reduced by their gcd). This type computes the same
/// sums (each in increasing tap order, so results do not depend on anything but the input) with
/// one of two polyphase layouts:
/// - small `orig` (e.g. 16 → 24 kHz, orig 2): the padded input is split into `orig` decimated
///   streams, so each tap multiplies 16 consecutive outputs' inputs loaded with one SIMD load;
/// - large `orig` (e.g. 44.1 → 24 kHz, orig 147): each output is a SIMD dot product of its phase's
///   taps with a contiguous stretch of the input (decimated streams would touch `orig` cache
///   lines per step).
///
/// Immutable and `Sendable`: build once per rate pair and share across threads.
public struct Resampler: Sendable {
    public let fromRate: Int
    public let toRate: Int
    public let kernel: SincResampleKernel

    /// Per phase j: first used tap (`kernel.support[j].lowerBound`) and the used taps, zero-padded
    /// to a multiple of 8, stored back to back; `phaseOffsets[j]..<phaseOffsets[j + 1]`.
    private let phaseStart: [Int]
    private let phaseOffsets: [Int]
    private let coefficients: [Float]

    /// Outputs per SIMD accumulator in the decimated-stream layout.
    static let block = 16
    /// Reduced input rates above this use the dot-product layout.
    static let streamLayoutMaxOrig = 8

    public init(fromRate: Int, toRate: Int, lowpassFilterWidth: Int = 6, rolloff: Double = 0.99) {
        self.fromRate = fromRate
        self.toRate = toRate
        let kernel = SincResampleKernel(fromRate: fromRate, toRate: toRate,
                                        lowpassFilterWidth: lowpassFilterWidth, rolloff: rolloff)
        self.kernel = kernel
        var starts = [Int](), offsets = [0], coef = [Float]()
        for j in 0..<kernel.new {
            let support = kernel.support[j]
            starts.append(support.lowerBound)
            for k in support { coef.append(kernel.taps[j * kernel.length + k]) }
            while coef.count % 8 != 0 { coef.append(0) }
            offsets.append(coef.count)
        }
        phaseStart = starts
        phaseOffsets = offsets
        coefficients = coef
    }

    /// Output samples for `inputLength` input samples: ceil(new * n / orig) (torchaudio's rule).
    public func outputLength(inputLength n: Int) -> Int {
        if fromRate == toRate { return n }
        return (kernel.new * n + kernel.orig - 1) / kernel.orig
    }

    /// Resamples a mono waveform. Equal rates return the input unchanged (as torchaudio does).
    public func resample(_ x: [Float]) -> [Float] {
        if fromRate == toRate { return x }
        let target = outputLength(inputLength: x.count)
        if target == 0 { return [] }
        var y = [Float](repeating: 0, count: target)
        y.withUnsafeMutableBufferPointer { out in
            x.withUnsafeBufferPointer { xs in
                coefficients.withUnsafeBufferPointer { coef in
                    if kernel.orig <= Self.streamLayoutMaxOrig {
                        streamLayout(xs, out, coef.baseAddress!)
                    } else {
                        dotLayout(xs, out, coef.baseAddress!)
                    }
                }
            }
        }
        return y
    }

    /// Output i·new + j = Σ_k h_j[k] · padded[i·orig + k], padded[p] = x[p − width] (zero outside).
    private func streamLayout(_ x: UnsafeBufferPointer<Float>, _ out: UnsafeMutableBufferPointer<Float>,
                              _ coef: UnsafePointer<Float>) {
        let orig = kernel.orig, new = kernel.new, width = kernel.width, n = x.count, target = out.count
        let block = Self.block
        let perPhase = (target + new - 1) / new
        let blocks = (perPhase + block - 1) / block
        // Stream r holds padded[m·orig + r]; tap k of output i reads stream k % orig at m = i + k / orig.
        let stride = blocks * block + kernel.length / orig + 2
        let streams = UnsafeMutablePointer<Float>.allocate(capacity: orig * stride)
        defer { streams.deallocate() }
        streams.initialize(repeating: 0, count: orig * stride)
        for r in 0..<orig {
            let dst = streams + r * stride
            var m = 0, i = r - width
            while i < 0 { m += 1; i += orig }
            while i < n { dst[m] = x[i]; m += 1; i += orig }
        }
        let base = UnsafeRawPointer(streams)
        let fsize = MemoryLayout<Float>.stride
        for b in 0..<blocks {
            let i0 = b * block
            for j in 0..<new {
                var acc = SIMD16<Float>(repeating: 0)
                let first = phaseStart[j], c = coef + phaseOffsets[j]
                for t in 0..<(kernel.support[j].count) {
                    let k = first + t
                    let v = base.loadUnaligned(fromByteOffset: ((k % orig) * stride + k / orig + i0) * fsize, as: SIMD16<Float>.self)
                    acc += SIMD16<Float>(repeating: c[t]) * v
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

    /// The same sums as SIMD8 dot products over each phase's (zero-padded) taps.
    private func dotLayout(_ x: UnsafeBufferPointer<Float>, _ out: UnsafeMutableBufferPointer<Float>,
                           _ coef: UnsafePointer<Float>) {
        let orig = kernel.orig, new = kernel.new, width = kernel.width, n = x.count, target = out.count
        let perPhase = (target + new - 1) / new
        var reach = 0
        for j in 0..<new { reach = max(reach, phaseStart[j] + phaseOffsets[j + 1] - phaseOffsets[j]) }
        let length = (perPhase - 1) * orig + reach + 8
        let padded = UnsafeMutablePointer<Float>.allocate(capacity: max(length, width + n))
        defer { padded.deallocate() }
        padded.initialize(repeating: 0, count: max(length, width + n))
        (padded + width).update(from: x.baseAddress!, count: n)
        let base = UnsafeRawPointer(padded)
        let fsize = MemoryLayout<Float>.stride
        for i in 0..<perPhase {
            for j in 0..<new {
                let idx = i * new + j
                if idx >= target { break }
                let c = UnsafeRawPointer(coef + phaseOffsets[j])
                let chunks = (phaseOffsets[j + 1] - phaseOffsets[j]) / 8
                let start = (i * orig + phaseStart[j]) * fsize
                var acc = SIMD8<Float>(repeating: 0)
                for q in 0..<chunks {
                    let v = base.loadUnaligned(fromByteOffset: start + q * 8 * fsize, as: SIMD8<Float>.self)
                    acc += c.loadUnaligned(fromByteOffset: q * 8 * fsize, as: SIMD8<Float>.self) * v
                }
                out[idx] = acc.sum()
            }
        }
    }

    /// Resamples with a freshly built `Resampler` (convenience for one-off calls; build a
    /// `Resampler` once when converting many waveforms).
    public static func resample(_ x: [Float], from fromRate: Int, to toRate: Int) -> [Float] {
        Resampler(fromRate: fromRate, toRate: toRate).resample(x)
    }
}
