/// A waveform → latent-sequence encoder (Mimi, EnCodec, log-mel).
///
/// Input: mono float32 waveform at `sampleRate` Hz (samples in [-1, 1]).
/// Output: [T, D] row-major float32 with D = `latentDim` and T = ceil(samples / frameSize)
/// (the input is zero-padded at the end to a multiple of `frameSize`).
public protocol LatentEncoder {
    /// Short name used in configs and store attributes ("mimi", "encodec", "mel").
    var name: String { get }
    /// Input sample rate in Hz (24000 for Mimi).
    var sampleRate: Int { get }
    /// Input samples per latent frame (1920 for Mimi at 12.5 Hz).
    var frameSize: Int { get }
    /// Latent width D.
    var latentDim: Int { get }
    /// Encodes one utterance; returns [T, D] row-major.
    func encode(_ waveform: [Float]) throws -> [Float]
}

extension LatentEncoder {
    /// Latent frames per second.
    public var frameRate: Double { Double(sampleRate) / Double(frameSize) }
    /// Number of latent frames for `samples` input samples: ceil(samples / frameSize).
    public func frameCount(samples: Int) -> Int { (samples + frameSize - 1) / frameSize }
}
