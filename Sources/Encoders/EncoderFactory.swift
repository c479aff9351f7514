import EngramCore
import Foundation

/// The encoder named by `vae.encoder`, checked against the `vae` section (sample rate, frame size,
/// latent width): `mel` (weight-free log-mel, D = `vae.latent_dim` bands), `mimi` (needs
/// `vae.checkpoint`), `encodec` (not yet available).
public func makeEncoder(config: Phase0Config) throws -> LatentEncoder {
    let vae = config.vae
    let file = config.sourceFile.isEmpty ? "config" : config.sourceFile
    let encoder: LatentEncoder
    switch vae.encoder {
    case .mel:
        do {
            encoder = try MelEncoder(sampleRate: vae.sampleRate, frameSize: vae.frameSize, bands: vae.latentDim)
        } catch let e as EngramError {
            throw EngramError("\(file): vae.latent_dim", e.message)
        }
    case .mimi:
        throw EngramError("\(file): vae.encoder", "the Mimi encoder is not available in this build yet")
    case .encodec:
        throw EngramError("\(file): vae.encoder", "encodec is not yet available as a Phase 0 encoder (use mimi or mel)")
    }
    try checkEncoder(encoder, matches: config)
    return encoder
}

/// Errors naming the `vae` key when the encoder's geometry differs from the config's.
func checkEncoder(_ e: LatentEncoder, matches config: Phase0Config) throws {
    let vae = config.vae
    let file = config.sourceFile.isEmpty ? "config" : config.sourceFile
    if e.sampleRate != vae.sampleRate {
        throw EngramError("\(file): vae.sample_rate", "is \(vae.sampleRate) but the \(e.name) encoder takes \(e.sampleRate) Hz audio")
    }
    if e.frameSize != vae.frameSize {
        throw EngramError("\(file): vae.frame_size", "is \(vae.frameSize) but the \(e.name) encoder makes one frame per \(e.frameSize) samples")
    }
    if e.latentDim != vae.latentDim {
        throw EngramError("\(file): vae.latent_dim", "is \(vae.latentDim) but the \(e.name) encoder's latents are \(e.latentDim)-dimensional")
    }
}
