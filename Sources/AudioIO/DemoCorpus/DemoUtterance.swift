import Foundation
import EngramCore

/// One synthetic utterance: 16-bit samples and the transcript that matches its pseudo-words.
public struct DemoUtterance: Sendable {
    public var samples: [Int32]
    public var transcript: String
    public var sampleRate: Int
    public var duration: Double { Double(samples.count) / Double(sampleRate) }

    /// Synthesises an utterance of `duration` seconds for `speaker`, deterministic in `rng`.
    /// Peak level follows the speaker's loudness; a faint noise floor (σ ≈ 2.5 LSB) keeps pauses
    /// from being digital silence, as in real recordings.
    public static func synthesize(speaker: DemoSpeaker, duration: Double, sampleRate: Int = 16000, rng: inout SplitMix64) -> DemoUtterance {
        let target = Int((duration * Double(sampleRate)).rounded())
        let plan = UtterancePlan.make(speaker: speaker, targetSamples: target, sampleRate: sampleRate, rng: &rng)
        let wave = SourceFilterSynth.render(plan, speaker: speaker, sampleRate: sampleRate, rng: &rng)
        let peak = wave.reduce(0) { max($0, abs($1)) }
        let gain = peak > 0 ? speaker.loudness * rng.uniform(0.85, 1.1) * 32767 / peak : 0
        var samples = [Int32](repeating: 0, count: wave.count)
        for i in 0..<wave.count {
            let v = (wave[i] * gain + 2.5 * rng.normal()).rounded()
            samples[i] = Int32(min(max(v, -32768), 32767))
        }
        return DemoUtterance(samples: samples, transcript: plan.transcript, sampleRate: sampleRate)
    }
}
