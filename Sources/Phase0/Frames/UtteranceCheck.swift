import Foundation
import EngramCore

/// Checks that an utterance's latents can be analysed: width = `vae.latent_dim`, T matching the
/// index, every value finite, and at least one valid target frame. Problems are `EngramError`s
/// naming the utterance; the analysis never silently includes such an utterance.
struct UtteranceCheck {
    let expectedDim: Int
    let geometry: ContextGeometry
    let storeLocation: String

    func checkShape(_ id: String, frames: Int, dim: Int, indexFrames: Int?) throws {
        let where_ = "\(storeLocation)/\(id)/x"
        if dim != expectedDim {
            throw EngramError(where_, "latent width is \(dim), expected vae.latent_dim = \(expectedDim)")
        }
        if let n = indexFrames, n != frames {
            throw EngramError(where_, "has \(frames) frames but latents_index says n_frames = \(n)")
        }
        if frames < geometry.minimumFrames {
            throw EngramError(where_, "has \(frames) frames; window_size \(geometry.windowSize) with max lag \(geometry.maxLag) needs at least \(geometry.minimumFrames) for one valid target frame")
        }
    }

    func checkFinite(_ id: String, x: UnsafeBufferPointer<Float>, dim: Int) throws {
        if let bad = firstNonFinite(x) {
            throw EngramError("\(storeLocation)/\(id)/x", "frame \(bad / dim), dimension \(bad % dim) is \(x[bad]) (latents must be finite)")
        }
    }

    func checkEnergy(_ id: String, energy: [Float], frames: Int) throws {
        let where_ = "\(storeLocation)/\(id)/energy"
        if energy.count != frames { throw EngramError(where_, "has \(energy.count) values, x has \(frames) frames") }
        if let bad = energy.firstIndex(where: { !$0.isFinite }) {
            throw EngramError(where_, "frame \(bad) is \(energy[bad]) (energies must be finite)")
        }
    }
}

/// Index of the first non-finite value, or nil.
func firstNonFinite(_ x: UnsafeBufferPointer<Float>) -> Int? {
    guard let p = x.baseAddress else { return nil }
    let n = x.count
    var i = 0
    // Fast scan: x − x is 0 for finite values and NaN otherwise.
    while i + 8 <= n {
        var acc: Float = 0
        for j in 0..<8 { let v = p[i + j]; acc += v - v }
        if acc != 0 || acc.isNaN { break }
        i += 8
    }
    while i < n { if !p[i].isFinite { return i }; i += 1 }
    return nil
}
