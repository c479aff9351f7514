import ArgumentParser
import EngramCore
import Foundation
import Phase0

/// `engram synth-latents`: a latents store with planted structure whose VR is known in closed form.
struct SynthLatentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth-latents",
        abstract: "Write a latents store from a known process (planted structure) plus splits and a config.",
        discussion: """
        Each utterance has one regime r of R; marker dims hold the regime, the other dims are a random walk \
        with regime drift μ_r (±drift per dim) and Gaussian noise (std --noise). The true regimes have \
        VR = mean over drift dims of s²/(s² + Var_r μ_r,d), printed as the expected VR. Writes OUT/latents.zarr, \
        OUT/latents_index.parquet, OUT/splits/ and OUT/phase0.yaml; then run \
        `engram phase0 frames|fit|evaluate --config OUT/phase0.yaml`. --regimes 1 gives pure noise (VR ≈ 1).
        """)
    @Option(name: .long, help: "Output folder.") var out: String
    @Option(name: .long, help: "Utterances per speaker.") var utterances = 20
    @Option(name: .long, help: "Frames per utterance (T).") var frames = 100
    @Option(name: .long, help: "Latent dimension (D).") var dim = 32
    @Option(name: .long, help: "Number of regimes (R < D; 1 = no structure).") var regimes = 4
    @Option(name: .long, help: "Noise std s of Δx in drift dims.") var noise = 0.5
    @Option(name: .long, help: "Regime drift magnitude a per dim.") var drift = 1.0
    @Option(name: .long, help: "Random seed (data and splits).") var seed = 42
    @Option(name: .long, help: "Number of speakers (75 % train).") var speakers = 20

    func run() throws {
        try reportingErrors {
            var p = RegimeProcess()
            p.utterancesPerSpeaker = utterances; p.frames = frames; p.dim = dim; p.regimes = regimes
            p.noise = noise; p.drift = drift; p.speakers = speakers
            guard seed >= 0 else { throw EngramError("--seed", "must be ≥ 0") }
            p.seed = UInt64(seed)
            let corpus = try SyntheticCorpus(p)
            let dir = URL(fileURLWithPath: out)
            try corpus.write(to: dir)
            let layout = SyntheticCorpus.Layout(dir)
            print("wrote \(corpus.index.count) utterances × \(frames) frames × \(dim) dims to \(layout.latents.path)")
            print("splits: \(corpus.trainSpeakers.count) train / \(corpus.evalSpeakers.count) eval speakers; config: \(layout.config.path)")
            print("expected variance ratio (true regimes): \(p.expectedVarianceRatio)")
            print("next: engram phase0 frames --config \(layout.config.path) && engram phase0 fit --config \(layout.config.path) && engram phase0 evaluate --config \(layout.config.path)")
        }
    }
}
