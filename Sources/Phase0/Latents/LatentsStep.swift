import AudioIO
import Encoders
import EngramCore
import Formats
import Foundation

/// `engram phase0 latents` (SPEC §2): encode the split utterances into `output.latents_dir` and
/// write `output.latents_index`.
///
/// - Utterances: the ids of `train_utt_ids.txt` + `eval_utt_ids.txt` (from `engram phase0 splits`)
///   at least `data.min_duration_sec` long, located by scanning `data.librispeech_path/subset`.
/// - Resumable: an utterance whose group is complete in the store (and has the expected frame
///   count and width) is skipped; groups are written atomically, and leftover staging folders of an
///   interrupted run are removed first.
/// - Parallel over utterances on all cores (one utterance per worker at a time: bounded memory);
///   each group depends only on its utterance, and the index is sorted by id, so the output does
///   not depend on the thread count.
/// - Unreadable audio or non-finite latents follow `data.on_error`: `fail` stops with the error,
///   `skip` leaves the utterance out and lists it in `latents_failures.txt` next to the index.
///   A store that cannot be written always stops the run.
/// - Sharded (`shard`, e.g. one Slurm array task): only this shard's utterances (`LatentShard.assign`,
///   balanced by duration) are encoded, into the same store (groups are atomic, so shards never
///   collide); the shard's index and failures go to `LatentsStep.shardsFolder` and `engram phase0
///   merge` (`LatentsMerge`) writes the final index and consolidated metadata once all shards are done.
public enum LatentsStep {
    public struct Summary: Sendable {
        /// Utterances in the splits.
        public var listed = 0
        /// Dropped for being shorter than `data.min_duration_sec`.
        public var tooShort = 0
        /// Already complete in the store.
        public var skipped = 0
        /// Found in the store but incomplete or truncated, and encoded again (counted in `encoded`).
        public var redone = 0
        /// Assigned to other shards (sharded runs only).
        public var otherShards = 0
        public var shard: LatentShard? = nil
        /// Encoded by this run.
        public var encoded = 0
        /// Left out under `on_error: skip` (utterance id or path, and the problem).
        public var failures: [CorpusIssue] = []
        /// Rows of the index (= utterances in the store for this split).
        public var indexed = 0
        public var totalFrames = 0
        /// Seconds of audio encoded by this run, and the wall time it took.
        public var encodedAudioSeconds = 0.0
        public var wallSeconds = 0.0
        public var workers = 1
        public var storeURL: URL
        public var indexURL: URL
        public var failuresURL: URL
    }

    /// Root attributes recording what produced the store (checked on later runs).
    static func storeAttributes(_ e: LatentEncoder, config: Phase0Config) -> [String: JSONValue] {
        var a: [String: JSONValue] = ["encoder": .string(e.name), "latent_dim": .int(Int64(e.latentDim)),
                                      "sample_rate": .int(Int64(e.sampleRate)), "frame_size": .int(Int64(e.frameSize))]
        if e.name == "mimi" { a["project"] = .bool(config.vae.project) }
        return a
    }

    /// Runs the step. `encoder` overrides `makeEncoder(config:)` (tests); `workers` defaults to the core count.
    public static func run(config: Phase0Config, encoder: LatentEncoder? = nil, workers: Int? = nil,
                           progress: Bool = true, shard: LatentShard? = nil) throws -> Summary {
        let start = Date()
        let encoder = try encoder ?? makeEncoder(config: config)
        let storeURL = URL(fileURLWithPath: config.output.latentsDir)
        var indexURL = URL(fileURLWithPath: config.output.latentsIndex)
        var failuresURL = indexURL.deletingLastPathComponent().appendingPathComponent("latents_failures.txt")
        if let shard { indexURL = shardIndexURL(config: config, shard: shard); failuresURL = shardFailuresURL(config: config, shard: shard) }
        var summary = Summary(storeURL: storeURL, indexURL: indexURL, failuresURL: failuresURL)
        summary.shard = shard

        // 1. Which utterances, and where their audio is.
        let splitsDir = URL(fileURLWithPath: config.output.splitsDir)
        let splits = try Phase0Splits.read(from: splitsDir)
        let corpus = try LibriSpeechCorpus.scan(config: config, progress: progress)
        let byID = Dictionary(corpus.utterances.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var seen = Set<String>()
        var wanted = [LibriSpeechUtterance]()
        for (file, ids) in [("train_utt_ids.txt", splits.trainUtterances), ("eval_utt_ids.txt", splits.evalUtterances)] {
            for id in ids where seen.insert(id).inserted {
                summary.listed += 1
                guard let u = byID[id] else {
                    let issue = CorpusIssue(splitsDir.appendingPathComponent(file).path,
                                            "utterance \(id) is not in the corpus \(corpus.subsetURL.path) (rerun `engram phase0 splits`?)")
                    if config.data.onError == .fail { throw EngramError(issue.path, issue.message) }
                    summary.failures.append(issue)
                    continue
                }
                if u.duration < config.data.minDurationSec { summary.tooShort += 1; continue }
                wanted.append(u)
            }
        }
        wanted.sort { $0.id < $1.id }
        if let shard {
            let mine = LatentShard.assign(keys: wanted.map(\.id), weights: wanted.map(\.duration), count: shard.count)
            let all = wanted
            wanted = zip(all, mine).filter { $0.1 == shard.index }.map(\.0)
            summary.otherShards = all.count - wanted.count
            // Corpus-level problems (ids missing from the corpus) are every shard's; shard 0 reports them.
            if shard.index != 0 { summary.failures.removeAll() }
        }

        // 2. The store: created on first use (atomically, with its root attributes: shards may start
        // together); its recorded encoder must match ours.
        // Opened without `.zmetadata`: resuming must see the groups as they are on disk.
        let store = try openOrCreateStore(storeURL, attributes: storeAttributes(encoder, config: config))
        try checkStoreAttributes(store, encoder: encoder, config: config)
        try removeStaging(in: storeURL, ids: shard == nil ? nil : Set(wanted.map(\.id)))
        let extractor = LatentExtractor(encoder: encoder, sourceRates: Set(wanted.map(\.sampleRate)))

        var nFrames = [Int?](repeating: nil, count: wanted.count)
        var todo = [Int]()
        for (i, u) in wanted.enumerated() {
            let expected = extractor.expectedFrames(samples: u.samples, sourceRate: u.sampleRate)
            switch LatentGroupCheck.state(store, id: u.id, latentDim: encoder.latentDim, expectedFrames: expected) {
            case .valid(let t):
                nFrames[i] = t
                summary.skipped += 1
            case .invalid:
                summary.redone += 1
                todo.append(i)
            case .absent:
                todo.append(i)
            }
        }

        // 3. Encode the rest, one utterance per worker at a time.
        let nWorkers = max(1, min(workers ?? ProcessInfo.processInfo.activeProcessorCount, todo.count))
        summary.workers = nWorkers
        // Mimi parallelises its own GEMMs; with several utterances in flight each runs on one thread
        // (its result does not depend on the thread count).
        let mimi = encoder as? MimiEncoder, mimiThreads = mimi?.threads
        if nWorkers > 1 { mimi?.threads = 1 }
        defer { if let m = mimi, let t = mimiThreads { m.threads = t } }
        var results = [Outcome?](repeating: nil, count: todo.count)
        let reporter = ProgressReporter("latents", total: todo.count, enabled: progress ? nil : false)
        let queue = WorkQueue(count: todo.count)
        let failFast = config.data.onError == .fail
        results.withUnsafeMutableBufferPointer { slots in
            let slots = slots
            DispatchQueue.concurrentPerform(iterations: nWorkers) { _ in
                let decoder = FLACDecoder()
                while let k = queue.next() {
                    let u = wanted[todo[k]]
                    let latents: ExtractedLatents
                    do {
                        latents = try extractor.extract(id: u.id, path: u.path, decoder: decoder)
                    } catch {
                        // Bad audio or a non-finite latent: data.on_error decides.
                        slots[k] = .badInput(Self.describe(error, utterance: u))
                        if failFast { queue.stop() }
                        reporter.advance()
                        continue
                    }
                    do {
                        try store.write(id: u.id, x: latents.x, T: latents.nFrames, D: latents.latentDim,
                                        energy: latents.energy, timestamps: latents.timestamps, speakerID: u.speakerID)
                        slots[k] = .encoded(nFrames: latents.nFrames, duration: latents.duration)
                    } catch {
                        // The store cannot be written (disk full, permissions): always fatal.
                        slots[k] = .storeFailure(Self.describe(error, utterance: u))
                        queue.stop()
                    }
                    reporter.advance()
                }
            }
        }
        if !todo.isEmpty { reporter.finish() }
        if let fatal = results.lazy.compactMap({ r -> EngramError? in
            if case .storeFailure(let e)? = r { return e }
            return nil
        }).first { throw fatal }
        for (k, r) in results.enumerated() {
            switch r {
            case .encoded(let t, let duration)?:
                nFrames[todo[k]] = t
                summary.encoded += 1
                summary.encodedAudioSeconds += duration
            case .badInput(let e)?:
                if failFast { throw e }
                summary.failures.append(CorpusIssue(e.location, e.message))
            case .storeFailure?, nil:
                break   // nil: not started because an earlier failure stopped the run
            }
        }

        // 4. Index (sorted by id) and the failure list; consolidated metadata for fast reads.
        var rows = [(LibriSpeechUtterance, Int)]()
        for (i, u) in wanted.enumerated() { if let t = nFrames[i] { rows.append((u, t)) } }
        summary.indexed = rows.count
        summary.totalFrames = rows.reduce(0) { $0 + $1.1 }
        try LatentsIndex.write(rows.map { LatentsIndex.Row(utteranceID: $0.0.id, speakerID: $0.0.speakerID, nFrames: $0.1,
                                                           durationSec: $0.0.duration, audioPath: $0.0.path) },
                               to: indexURL)
        try AtomicFile.write(CorpusIssue.failuresText(summary.failures), to: failuresURL)
        // A shard must not consolidate: other shards may still be writing (merge does it).
        if shard == nil { try store.consolidate() } else { try store.store.invalidateConsolidated() }
        summary.wallSeconds = Date().timeIntervalSince(start)
        return summary
    }

    /// What happened to one utterance.
    enum Outcome {
        case encoded(nFrames: Int, duration: Double)
        case badInput(EngramError)
        case storeFailure(EngramError)
    }

    static func describe(_ error: Error, utterance u: LibriSpeechUtterance) -> EngramError {
        if let e = error as? EngramError { return EngramError(e.location, "\(e.message) (utterance \(u.id))") }
        return EngramError(u.path, "\(error.localizedDescription) (utterance \(u.id))")
    }

    /// Records the encoder in the root attributes of a new store; errors when an existing store was
    /// made by a different encoder or geometry (mixing them would corrupt the analysis).
    static func checkStoreAttributes(_ store: LatentStore, encoder: LatentEncoder, config: Phase0Config) throws {
        let want = storeAttributes(encoder, config: config)
        var attrs = (try? store.store.attributes("")) ?? JSONObject()
        var differs = [String]()
        for (k, v) in want.sorted(by: { $0.key < $1.key }) {
            if let have = attrs[k] {
                if have != v { differs.append("\(k) = \(JSON.serialize(have, indent: nil)) (config gives \(JSON.serialize(v, indent: nil)))") }
            }
        }
        if !differs.isEmpty {
            throw EngramError(store.root.path, "the latents store was written with " + differs.joined(separator: ", ")
                              + "; use another output.latents_dir or delete the store")
        }
        var changed = false
        for (k, v) in want where attrs[k] == nil { attrs[k] = v; changed = true }
        if changed { try store.store.setAttributes("", attrs) }
    }

    /// Removes hidden staging / set-aside folders (`.<id>.tmp-…`, `.<id>.old-…`) left by an interrupted
    /// run; with `ids`, only those of these utterances (other shards may be writing theirs right now).
    static func removeStaging(in root: URL, ids: Set<String>? = nil) throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        for name in names where name.hasPrefix(".") && (name.contains(".tmp-") || name.contains(".old-")) {
            if let ids {
                let body = name.dropFirst()
                guard let r = body.range(of: ".tmp-") ?? body.range(of: ".old-"), ids.contains(String(body[..<r.lowerBound])) else { continue }
            }
            let url = root.appendingPathComponent(name)
            do { try FileManager.default.removeItem(at: url) } catch {
                throw EngramError(url.path, "cannot remove a leftover staging folder: \(error.localizedDescription)")
            }
        }
    }
}

/// Hands out indices 0..<count to workers in order; `stop()` makes `next()` return nil.
final class WorkQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var nextIndex = 0
    private let count: Int
    private var stopped = false
    init(count: Int) { self.count = count }
    func next() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard !stopped, nextIndex < count else { return nil }
        defer { nextIndex += 1 }
        return nextIndex
    }
    func stop() { lock.lock(); stopped = true; lock.unlock() }
}
