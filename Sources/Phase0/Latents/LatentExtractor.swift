import AudioIO
import EngramCore
import Encoders
import Foundation

/// One utterance's latents before storage: x [T, D] row-major float32, energy [T], timestamps [T].
public struct ExtractedLatents: Sendable {
    public var x: [Float]
    public var energy: [Float]
    public var timestamps: [Float]
    public var nFrames: Int
    public var latentDim: Int
    /// Seconds of source audio (samples / source rate).
    public var duration: Double
}

/// The per-utterance pipeline of SPEC §2: waveform → resample to the encoder's rate (torchaudio's
/// `Resample` defaults) → encoder → checks; plus per-frame RMS energy of the resampled waveform
/// and timestamps t / frame_rate. Thread-safe (the encoder and resamplers are shared read-only;
/// FLAC decoding uses the caller's decoder).
public struct LatentExtractor: @unchecked Sendable {
    public let encoder: LatentEncoder
    /// Resamplers by source rate (built up front for every rate the caller announces).
    private let resamplers: [Int: Resampler]

    public init(encoder: LatentEncoder, sourceRates: Set<Int>) {
        self.encoder = encoder
        var r = [Int: Resampler]()
        for rate in sourceRates where rate > 0 { r[rate] = Resampler(fromRate: rate, toRate: encoder.sampleRate) }
        resamplers = r
    }

    /// Frames the encoder will produce for `samples` samples at `sourceRate` Hz.
    public func expectedFrames(samples: Int, sourceRate: Int) -> Int {
        let r = resamplers[sourceRate] ?? Resampler(fromRate: sourceRate, toRate: encoder.sampleRate)
        return encoder.frameCount(samples: r.outputLength(inputLength: samples))
    }

    /// Decodes the FLAC file at `path` and extracts its latents. Errors name `id` and the file.
    public func extract(id: String, path: String, decoder: FLACDecoder) throws -> ExtractedLatents {
        let (samples, rate) = try decoder.decodeMonoFloat(contentsOf: URL(fileURLWithPath: path))
        guard rate > 0 else { throw EngramError(path, "sample rate 0 in STREAMINFO") }
        return try extract(id: id, waveform: samples, sampleRate: rate)
    }

    /// Extracts latents from a mono waveform at `sampleRate` Hz.
    public func extract(id: String, waveform: [Float], sampleRate: Int) throws -> ExtractedLatents {
        let resampler = resamplers[sampleRate] ?? Resampler(fromRate: sampleRate, toRate: encoder.sampleRate)
        let audio = resampler.resample(waveform)
        let x = try encoder.encode(audio)
        let d = encoder.latentDim, t = encoder.frameCount(samples: audio.count)
        guard x.count == t * d else {
            throw EngramError("utterance \(id)", "\(encoder.name) encoder returned \(x.count) values, expected T×D = \(t)×\(d)")
        }
        if let bad = x.firstIndex(where: { !$0.isFinite }) {
            throw EngramError("utterance \(id)", "\(encoder.name) latent is \(x[bad]) at frame \(bad / d), dimension \(bad % d)")
        }
        let energy = frameEnergy(audio, frameSize: encoder.frameSize)
        let rate = Float(encoder.frameRate)
        let timestamps = (0..<t).map { Float($0) / rate }
        return ExtractedLatents(x: x, energy: energy, timestamps: timestamps, nFrames: t, latentDim: d,
                                duration: Double(waveform.count) / Double(sampleRate))
    }
}
