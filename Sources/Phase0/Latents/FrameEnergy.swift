import Foundation

/// Per-frame energy (SPEC §2): the RMS of the waveform over each non-overlapping block of
/// `frameSize` samples, blocks aligned to the latent frames, the tail zero-padded.
///
/// Returns T = ceil(samples / frameSize) values; frame t is sqrt(Σ_{i ∈ block t} x[i]² / frameSize),
/// the sum taken in Double. The last block is divided by `frameSize` too (its missing samples are
/// the zeros the encoder also sees). The research pipeline divided the last block by its true
/// length instead; the two differ only in the final frame of an utterance.
public func frameEnergy(_ waveform: [Float], frameSize: Int) -> [Float] {
    precondition(frameSize > 0)
    let frames = (waveform.count + frameSize - 1) / frameSize
    var out = [Float](repeating: 0, count: frames)
    waveform.withUnsafeBufferPointer { x in
        for t in 0..<frames {
            let lo = t * frameSize, hi = min(lo + frameSize, x.count)
            var acc = 0.0
            for i in lo..<hi { acc += Double(x[i]) * Double(x[i]) }
            out[t] = Float((acc / Double(frameSize)).squareRoot())
        }
    }
    return out
}
