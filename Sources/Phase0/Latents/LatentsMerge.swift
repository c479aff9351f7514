import EngramCore
import Formats
import Foundation

/// `engram phase0 merge`: joins the work of the N shards of a sharded latents run (all written into
/// the one store) into what a single run writes: `latents_index.parquet` (rows of every shard,
/// sorted by utterance id), `latents_failures.txt` (the shards' lists, in shard order) and the
/// store's consolidated `.zmetadata`.
///
/// Refuses to merge when a shard has not finished (its index file is missing), when shard files of
/// different shard counts are mixed, when an utterance is listed twice, or when a listed group is
/// missing, incomplete or of another geometry in the store — each error names the file or id.
public enum LatentsMerge {
    public struct Summary: Sendable {
        public var shards = 0
        public var utterances = 0
        public var frames = 0
        public var failures = 0
        public var indexURL: URL
        public var failuresURL: URL
        public var storeURL: URL
    }

    public static func run(config: Phase0Config, shards: Int? = nil) throws -> Summary {
        let folder = LatentsStep.shardsFolder(config: config)
        let storeURL = URL(fileURLWithPath: config.output.latentsDir)
        let indexURL = URL(fileURLWithPath: config.output.latentsIndex)
        let failuresURL = indexURL.deletingLastPathComponent().appendingPathComponent("latents_failures.txt")
        var summary = Summary(indexURL: indexURL, failuresURL: failuresURL, storeURL: storeURL)

        // 1. Which shard count: --shards, or the one every shard file agrees on.
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        var counts = Set<Int>()
        for n in names {
            if let (_, c) = parseTag(n, prefix: "index.", suffix: ".parquet") { counts.insert(c) }
        }
        let n: Int
        if let shards {
            guard shards >= 1 else { throw EngramError("--shards", "must be at least 1") }
            n = shards
        } else {
            guard !counts.isEmpty else {
                throw EngramError(folder.path, "no shard index files (index.shard-IIII-of-NNNN.parquet): run `engram phase0 latents --shard I/N` first")
            }
            guard counts.count == 1, let only = counts.first else {
                throw EngramError(folder.path, "shard files of different shard counts (\(counts.sorted().map(String.init).joined(separator: ", "))) are mixed; pass --shards N")
            }
            n = only
        }
        summary.shards = n

        // 2. Every shard's rows; all shards must be present.
        var rows = [LatentsIndex.Row]()
        var missing = [String]()
        var failuresText = ""
        for i in 0..<n {
            let shard = try LatentShard(index: i, count: n)
            let url = LatentsStep.shardIndexURL(config: config, shard: shard)
            guard FileManager.default.fileExists(atPath: url.path) else { missing.append(shard.description); continue }
            rows += try LatentsIndex.read(url)
            let f = LatentsStep.shardFailuresURL(config: config, shard: shard)
            if let text = try? String(contentsOf: f, encoding: .utf8) { failuresText += text }
        }
        if !missing.isEmpty {
            throw EngramError(folder.path, "shard(s) \(missing.prefix(10).joined(separator: ", "))\(missing.count > 10 ? ", …" : "") of \(n) have not finished "
                              + "(no index file); rerun them with `engram phase0 latents --shard I/\(n)` (finished utterances are skipped)")
        }
        rows.sort { $0.utteranceID < $1.utteranceID }
        for (a, b) in zip(rows, rows.dropFirst()) where a.utteranceID == b.utteranceID {
            throw EngramError(folder.path, "utterance \(a.utteranceID) is listed by two shards (were shards of different runs mixed?)")
        }

        // 3. Every listed group must be whole in the store.
        let store = try LatentStore(openAt: storeURL, useConsolidated: false)
        guard let latentDim = try store.store.attributes("")["latent_dim"]?.intValue else {
            throw EngramError(storeURL.path + "/.zattrs", "the latents store records no latent_dim (not written by engram phase0 latents?)")
        }
        for r in rows {
            switch LatentGroupCheck.state(store, id: r.utteranceID, latentDim: latentDim, expectedFrames: r.nFrames) {
            case .valid: break
            case .absent:
                throw EngramError(store.store.path(r.utteranceID), "utterance \(r.utteranceID) is in a shard index but not in the store")
            case .invalid(let why):
                throw EngramError(store.store.path(r.utteranceID), "utterance \(r.utteranceID) is damaged in the store (\(why)); rerun its shard")
            }
        }

        // 4. Outputs, as an unsharded run writes them.
        try LatentsIndex.write(rows, to: indexURL)
        try AtomicFile.write(failuresText, to: failuresURL)
        try store.consolidate()
        summary.utterances = rows.count
        summary.frames = rows.reduce(0) { $0 + $1.nFrames }
        summary.failures = failuresText.split(separator: "\n").count
        return summary
    }

    /// (index, count) from a name like `index.shard-0003-of-0008.parquet`.
    static func parseTag(_ name: String, prefix: String, suffix: String) -> (Int, Int)? {
        guard name.hasPrefix(prefix + "shard-"), name.hasSuffix(suffix) else { return nil }
        let core = name.dropFirst(prefix.count + "shard-".count).dropLast(suffix.count)
        let parts = core.components(separatedBy: "-of-")
        guard parts.count == 2, let i = Int(parts[0]), let c = Int(parts[1]), c >= 1, i >= 0, i < c else { return nil }
        return (i, c)
    }
}

extension LatentsIndex {
    /// Reads a `latents_index.parquet` written by `write` (errors name the file and the column).
    public static func read(_ url: URL) throws -> [Row] {
        let t = try ParquetReader.read(url)
        guard case .string(let ids)? = t["utterance_id"], case .int64(let speakers)? = t["speaker_id"],
              case .int64(let frames)? = t["n_frames"], case .double(let durations)? = t["duration_sec"],
              case .string(let paths)? = t["audio_path"] else {
            throw EngramError(url.path, "expected columns utterance_id (string), speaker_id (int64), n_frames (int64), duration_sec (float64), audio_path (string); found \(t.columnNames)")
        }
        return ids.indices.map { i in
            Row(utteranceID: ids[i], speakerID: Int(speakers[i]), nFrames: Int(frames[i]), durationSec: durations[i], audioPath: paths[i])
        }
    }
}
