import ArgumentParser
import AudioIO
import EngramCore
import Foundation

struct DemoCorpusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-corpus",
        abstract: "Write a synthetic multi-speaker corpus in LibriSpeech layout.",
        discussion: """
        Writes OUT/<subset>/<speaker>/<chapter>/<speaker>-<chapter>-<utt>.flac (16 kHz mono 16-bit), \
        <speaker>-<chapter>.trans.txt and OUT/SPEAKERS.TXT. Speech-like source-filter synthesis \
        (per-speaker pitch, vocal-tract length, speaking rate), 3–15 s per utterance by default, fully \
        determined by --seed.
        """)
    @Option(name: .long, help: "Corpus root folder (LibriSpeech root).") var out: String
    @Option(name: .long, help: "Number of speakers.") var speakers: Int = 24
    @Option(name: .long, help: "Utterances per speaker.") var utterances: Int = 8
    @Option(name: .long, help: "Random seed.") var seed: UInt64 = 42
    @Option(name: .long, help: "Subset folder name.") var subset: String = "demo-clean"
    @Option(name: .long, help: "Shortest utterance, seconds.") var minSeconds: Double = 3.0
    @Option(name: .long, help: "Longest utterance, seconds.") var maxSeconds: Double = 15.0

    func validate() throws {
        guard speakers >= 1 && speakers <= 10000 else { throw ValidationError("--speakers must be in 1...10000") }
        guard utterances >= 1 && utterances <= 10000 else { throw ValidationError("--utterances must be in 1...10000") }
        guard minSeconds >= 0.5 && maxSeconds >= minSeconds && maxSeconds <= 600 else {
            throw ValidationError("need 0.5 ≤ --min-seconds ≤ --max-seconds ≤ 600")
        }
        guard !subset.isEmpty, !subset.contains("/"), !subset.hasPrefix(".") else { throw ValidationError("--subset must be a plain folder name") }
    }

    func run() throws {
        try reportingErrors {
            var c = DemoCorpus(speakers: speakers, utterancesPerSpeaker: utterances, seed: seed, subset: subset)
            c.durationRange = minSeconds...maxSeconds
            let t0 = Date()
            try c.write(to: URL(fileURLWithPath: out))
            print(String(format: "wrote %d speakers × %d utterances to %@ in %.1f s", speakers, utterances,
                         URL(fileURLWithPath: out).appendingPathComponent(subset).path, Date().timeIntervalSince(t0)))
        }
    }
}
