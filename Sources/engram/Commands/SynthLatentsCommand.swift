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
        `engram phase0 frames|fit|evaluate --config OUT/phase0.yaml`. --regimes 1 gives pure noise (VR ≈ 1). \
        --process markov: stationary latents for benchmarks (regime per frame from a Markov chain keeping its \
        state with probability --stay; x = utterance offset + regime centre (±drift per dim) + AR(1) noise); no \
        closed-form VR. Utterances are generated in batches and streamed to the store (LibriSpeech-sized stores \
        need no more memory than a batch).
        """)
    @Option(name: .long, help: "Output folder.") var out: String
    @Option(name: .long, help: "Utterances per speaker.") var utterances = 20
    @Option(name: .long, help: "Frames per utterance (T).") var frames = 100
    @Option(name: .long, help: "Latent dimension (D).") var dim = 32
    @Option(name: .long, help: "Number of regimes (R < D; 1 = no structure).") var regimes = 4
    @Option(name: .long, help: "Noise std s of Δx in drift dims.") var noise = 0.5
    @Option(name: .long, help: "Regime drift magnitude a per dim.") var drift = 1.0
    @Option(name: .long, help: "Random seed (data and splits).") var seed = 42
    @Option(name: .long, help: "Number of speakers.") var speakers = 20
    @Option(name: .long, help: "Speakers in the train split (default 75 %).") var trainSpeakers: Int?
    @Option(name: .long, help: "walk (closed-form VR) or markov (stationary, for benchmarks).") var process = "walk"
    @Option(name: .long, help: "markov: probability that the regime stays from one frame to the next.") var stay = 0.8
    @Option(name: .long, help: "markov: AR(1) coefficient of the noise.") var noiseCorrelation = 0.5

    func run() throws {
        try reportingErrors {
            var p = RegimeProcess()
            p.utterancesPerSpeaker = utterances; p.frames = frames; p.dim = dim; p.regimes = regimes
            p.noise = noise; p.drift = drift; p.speakers = speakers
            guard let kind = RegimeProcess.Kind(rawValue: process) else { throw EngramError("--process", "must be walk or markov (got \(process))") }
            p.kind = kind; p.stay = stay; p.noiseCorrelation = noiseCorrelation
            guard seed >= 0 else { throw EngramError("--seed", "must be ≥ 0") }
            p.seed = UInt64(seed)
            let dir = URL(fileURLWithPath: out)
            let splits = try SyntheticCorpus.writeStreaming(p, to: dir, trainSpeakers: trainSpeakers)
            let layout = SyntheticCorpus.Layout(dir)
            print("wrote \(speakers * utterances) utterances × \(frames) frames × \(dim) dims to \(layout.latents.path)")
            print("splits: \(splits.trainSpeakers.count) train / \(splits.evalSpeakers.count) eval speakers; config: \(layout.config.path)")
            print("expected variance ratio (true regimes): \(kind == .markov ? "no closed form (markov)" : "\(p.expectedVarianceRatio)")")
            print("next: engram phase0 frames --config \(layout.config.path) && engram phase0 fit --config \(layout.config.path) && engram phase0 evaluate --config \(layout.config.path)")
        }
    }
}
