import EngramCore
import Foundation

/// The encoder named by `vae.encoder`, checked against the `vae` section (sample rate, frame size,
/// latent width): `mel` (weight-free log-mel, D = `vae.latent_dim` bands), `mimi` (Kyutai's
/// weights from `vae.checkpoint`, relative paths from the working directory; `vae.project`
/// selects the projected latent), `encodec` (not yet available).
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
        guard let path = vae.checkpoint, !path.isEmpty else {
            throw EngramError("\(file): vae.checkpoint", "the mimi encoder needs Kyutai's weights: set vae.checkpoint to "
                              + "tokenizer-e351c8d8-checkpoint125.safetensors or a Hugging Face kyutai/mimi folder "
                              + "(`engram weights fetch mimi`), or use vae.encoder: mel")
        }
        let url = URL(fileURLWithPath: path)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw EngramError("\(file): vae.checkpoint", "\(url.path) not found (`engram weights fetch mimi` downloads it)")
        }
        encoder = try MimiEncoder(checkpoint: url, project: vae.project)
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
