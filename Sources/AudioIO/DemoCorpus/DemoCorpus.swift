import Foundation
import EngramCore

/// The built-in synthetic corpus: `speakers` × `utterances` speech-like recordings (source-filter
/// synthesis, `DemoUtterance`) in LibriSpeech layout — `ROOT/<subset>/<spk>/<chap>/<spk>-<chap>-<utt>.flac`
/// (16 kHz mono 16-bit), `<spk>-<chap>.trans.txt`, `ROOT/SPEAKERS.TXT`. Everything follows from
/// `seed` (SplitMix64 streams per speaker and per utterance), so the files are identical for any
/// thread count.
public struct DemoCorpus: Sendable {
    public var speakers = 24
    public var utterancesPerSpeaker = 8
    public var seed: UInt64 = 42
    public var subset = "demo-clean"
    /// Utterance lengths are drawn uniformly from this range, seconds.
    public var durationRange: ClosedRange<Double> = 3.0...15.0
    public var sampleRate = 16000

    public init(speakers: Int = 24, utterancesPerSpeaker: Int = 8, seed: UInt64 = 42, subset: String = "demo-clean") {
        self.speakers = speakers; self.utterancesPerSpeaker = utterancesPerSpeaker; self.seed = seed; self.subset = subset
    }

    /// One planned utterance (before synthesis).
    public struct Item: Sendable, Equatable {
        public var speakerIndex: Int
        public var chapter: Int
        public var id: String
        public var duration: Double
        /// Stream number of the utterance's random generator.
        public var stream: UInt64
    }

    /// Speaker ids (distinct, LibriSpeech-like range) and parameters.
    public func speakerTable() -> [DemoSpeaker] {
        var g = SplitMix64(seed: seed, stream: 1 << 40)
        var ids = Set<Int>()
        var order = [Int]()
        while order.count < speakers {
            let id = 10 + g.nextInt(below: 9990)
            if ids.insert(id).inserted { order.append(id) }
        }
        return order.enumerated().map { i, id in
            var r = SplitMix64(seed: seed, stream: (1 << 41) + UInt64(i))
            return DemoSpeaker.draw(id: id, index: i, rng: &r)
        }
    }

    /// The utterances to make: per speaker one or two chapters, utterances numbered within each chapter.
    public func items(_ table: [DemoSpeaker]) -> [Item] {
        var out = [Item]()
        for (si, sp) in table.enumerated() {
            var g = SplitMix64(seed: seed, stream: (1 << 42) + UInt64(si))
            let nChapters = utterancesPerSpeaker >= 4 && g.nextDouble() < 0.5 ? 2 : 1
            let chapters = (0..<nChapters).map { k in 100 + g.nextInt(below: 900) * 2 + k } // distinct
            var next = [Int](repeating: 0, count: nChapters)
            for u in 0..<utterancesPerSpeaker {
                let c = u * nChapters / utterancesPerSpeaker
                let dur = g.uniform(durationRange.lowerBound, durationRange.upperBound)
                out.append(Item(speakerIndex: si, chapter: chapters[c],
                                id: "\(sp.id)-\(chapters[c])-\(String(format: "%04d", next[c]))",
                                duration: (dur * 100).rounded(.down) / 100,
                                stream: UInt64(si) << 20 | UInt64(u)))
                next[c] += 1
            }
        }
        return out
    }

    /// Synthesises one planned utterance.
    public func synthesize(_ item: Item, table: [DemoSpeaker]) -> DemoUtterance {
        var g = SplitMix64(seed: seed, stream: item.stream)
        return DemoUtterance.synthesize(speaker: table[item.speakerIndex], duration: item.duration, sampleRate: sampleRate, rng: &g)
    }
}
