import Foundation

/// Triangular mel filters on the bins of a real FFT, Slaney-normalised (librosa's
/// `filters.mel(norm="slaney", htk=False)`, torchaudio's `melscale_fbanks(norm="slaney",
/// mel_scale="slaney")`):
///
/// band b (b ∈ [0, bands)) has edges h_b, h_{b+1}, h_{b+2} taken from `bands + 2` points equally
/// spaced on the mel scale between `fMin` and `fMax`; bin k at frequency f_k = k · sampleRate / fftLength
/// has weight max(0, min((f_k − h_b) / (h_{b+1} − h_b), (h_{b+2} − f_k) / (h_{b+2} − h_{b+1})))
/// scaled by 2 / (h_{b+2} − h_b) (equal area per band).
public struct MelFilterbank: Sendable {
    public let bands: Int
    public let binCount: Int
    /// Band edges in Hz (`bands + 2` values).
    public let edgesHz: [Double]
    /// Per band, the first bin with a non-zero weight and the weights of the following bins.
    public let firstBin: [Int]
    public let weights: [[Float]]

    public init(sampleRate: Int, fftLength: Int, bands: Int, fMin: Double = 0, fMax: Double? = nil) {
        let fMax = fMax ?? Double(sampleRate) / 2
        precondition(bands >= 1 && fMin >= 0 && fMax > fMin)
        self.bands = bands
        binCount = fftLength / 2 + 1
        let mLo = MelScale.mel(hz: fMin), mHi = MelScale.mel(hz: fMax)
        edgesHz = (0..<(bands + 2)).map { MelScale.hz(mel: mLo + (mHi - mLo) * Double($0) / Double(bands + 1)) }
        var first = [Int](), w = [[Float]]()
        for b in 0..<bands {
            let lo = edgesHz[b], mid = edgesHz[b + 1], hi = edgesHz[b + 2]
            let norm = 2 / (hi - lo)
            var row = [Float](), start = -1
            for k in 0..<binCount {
                let f = Double(k) * Double(sampleRate) / Double(fftLength)
                let v = max(0, min((f - lo) / (mid - lo), (hi - f) / (hi - mid)))
                if v > 0 {
                    if start < 0 { start = k }
                    // Keep interior zeros (none occur for a triangle) so the row stays contiguous.
                    row.append(Float(v * norm))
                } else if start >= 0 {
                    break
                }
            }
            first.append(max(start, 0))
            w.append(row)
        }
        firstBin = first
        weights = w
    }

    /// Applies the filters to a power spectrum (`binCount` values) into `out` (`bands` values).
    public func apply(_ power: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        for b in 0..<bands {
            let start = firstBin[b]
            var acc: Float = 0
            weights[b].withUnsafeBufferPointer { w in
                for i in 0..<w.count { acc += w[i] * power[start + i] }
            }
            out[b] = acc
        }
    }
}
