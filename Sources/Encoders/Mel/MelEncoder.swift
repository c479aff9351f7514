import EngramCore
import Foundation
import Numerics

/// A weight-free latent: the log-mel spectrogram at the latent frame rate.
///
/// Input: mono float32 waveform at `sampleRate` Hz. Output: [T, D] row-major float32,
/// T = ceil(samples / frameSize), D = `latentDim` mel bands, value
///
///     x[t, b] = ln(Σ_k W[b, k] · |X_t[k]|² + 1e-5)
///
/// where X_t is the unnormalised DFT (length n = 2 · frameSize) of the waveform's samples
/// [t · frameSize − ⌊frameSize/2⌋, … + n) — samples outside the waveform are zeros, which covers
/// the end padding to T · frameSize — multiplied by a periodic Hann window
/// w[i] = 0.5 − 0.5 cos(2π i / n). The window is centred on block t (the frameSize samples of latent
/// frame t, the same block the per-frame energy uses) and half-overlaps its neighbours (the windows
/// sum to 1). W is the Slaney-normalised Slaney-scale mel filterbank from 0 Hz to sampleRate / 2
/// (`MelFilterbank`). The floor 1e-5 keeps silence finite (ln 1e-5 ≈ −11.51).
public struct MelEncoder: LatentEncoder, Sendable {
    public var name: String { "mel" }
    public let sampleRate: Int
    public let frameSize: Int
    public let latentDim: Int
    /// DFT length n = 2 · frameSize.
    public let fftLength: Int
    /// Added to the mel power before the logarithm.
    public static let floor: Float = 1e-5

    public let filterbank: MelFilterbank
    let window: [Float]
    let fft: RealFFT

    /// - Throws: when `bands` is so large that some mel filter covers no FFT bin.
    public init(sampleRate: Int = 24000, frameSize: Int = 1920, bands: Int = 64) throws {
        guard sampleRate > 0, frameSize > 0, bands > 0 else {
            throw EngramError("mel encoder", "sample rate, frame size and band count must be positive")
        }
        self.sampleRate = sampleRate
        self.frameSize = frameSize
        self.latentDim = bands
        fftLength = 2 * frameSize
        fft = RealFFT(length: fftLength)
        let n = fftLength
        window = (0..<n).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(n))) }
        filterbank = MelFilterbank(sampleRate: sampleRate, fftLength: n, bands: bands)
        if let b = filterbank.weights.firstIndex(where: { $0.isEmpty }) {
            throw EngramError("vae.latent_dim", "\(bands) mel bands are too many for a \(n)-point DFT at \(sampleRate) Hz: band \(b) covers no frequency bin")
        }
    }

    public func encode(_ waveform: [Float]) throws -> [Float] {
        let frames = frameCount(samples: waveform.count)
        let hop = frameSize, n = fftLength, bins = filterbank.binCount, d = latentDim
        let lead = hop / 2
        var out = [Float](repeating: 0, count: frames * d)
        var segment = [Float](repeating: 0, count: n)
        var re = [Float](repeating: 0, count: bins), im = re, power = re
        let workspace = fft.makeWorkspace()
        let logFloor = Self.floor
        waveform.withUnsafeBufferPointer { x in
        window.withUnsafeBufferPointer { w in
        segment.withUnsafeMutableBufferPointer { seg in
        re.withUnsafeMutableBufferPointer { re in
        im.withUnsafeMutableBufferPointer { im in
        power.withUnsafeMutableBufferPointer { p in
        out.withUnsafeMutableBufferPointer { o in
            for t in 0..<frames {
                let start = t * hop - lead
                for i in 0..<n {
                    let j = start + i
                    seg[i] = (j >= 0 && j < x.count) ? x[j] * w[i] : 0
                }
                fft.forward(seg.baseAddress!, re: re.baseAddress!, im: im.baseAddress!, workspace: workspace)
                for k in 0..<bins { p[k] = re[k] * re[k] + im[k] * im[k] }
                let row = o.baseAddress! + t * d
                filterbank.apply(p.baseAddress!, into: row)
                for b in 0..<d { row[b] = log(row[b] + logFloor) }
            }
        }
        }
        }
        }
        }
        }
        }
        return out
    }
}
