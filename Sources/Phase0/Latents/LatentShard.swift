import EngramCore
import Foundation

/// One of N disjoint parts of the latents work (`engram phase0 latents --shard I/N`, or a Slurm
/// array task). Index I is 0-based.
public struct LatentShard: Equatable, Sendable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) throws {
        guard count >= 1 else { throw EngramError("--shard", "shard count must be at least 1, got \(count)") }
        guard index >= 0, index < count else {
            throw EngramError("--shard", "shard index must be in 0..<\(count), got \(index)")
        }
        self.index = index
        self.count = count
    }

    /// Parses "I/N" (0 ≤ I < N).
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0].trimmingCharacters(in: .whitespaces)),
              let n = Int(parts[1].trimmingCharacters(in: .whitespaces)) else {
            throw EngramError("--shard", "expected I/N (e.g. 3/8, 0-based), got '\(text)'")
        }
        try self.init(index: i, count: n)
    }

    /// The shard of a Slurm array task: `SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN` (MIN taken as
    /// 0 when absent) of `SLURM_ARRAY_TASK_COUNT`. Nil when not running as an array task.
    public static func fromSlurm(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> LatentShard? {
        guard let idText = env["SLURM_ARRAY_TASK_ID"], let countText = env["SLURM_ARRAY_TASK_COUNT"] else { return nil }
        guard let id = Int(idText), let count = Int(countText) else {
            throw EngramError("SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT", "not integers: '\(idText)', '\(countText)'")
        }
        let minID = env["SLURM_ARRAY_TASK_MIN"].flatMap { Int($0) } ?? 0
        do { return try LatentShard(index: id - minID, count: count) } catch {
            throw EngramError("SLURM_ARRAY_TASK_ID", "task \(id) (min \(minID)) is outside an array of \(count) tasks; submit with --array=0-\(count - 1)")
        }
    }

    public var description: String { "\(index)/\(count)" }

    /// File-name tag, zero-padded so the shard files sort in order: "shard-0003-of-0008".
    public var tag: String { String(format: "shard-%04d-of-%04d", index, count) }

    /// Assigns items to `count` shards balancing the total `weight` (seconds of audio), not the
    /// number of items: longest-processing-time-first greedy — items by weight descending (ties by
    /// `key` ascending) each go to the shard with the smallest load so far (ties to the lower
    /// shard). Deterministic: it depends only on the (key, weight) pairs, not on their order.
    /// Returns the shard of each item, in input order. The heaviest shard exceeds the lightest by at
    /// most the largest single weight.
    public static func assign(keys: [String], weights: [Double], count: Int) -> [Int] {
        precondition(keys.count == weights.count && count >= 1)
        let order = keys.indices.sorted { a, b in
            weights[a] != weights[b] ? weights[a] > weights[b] : keys[a] < keys[b]
        }
        var load = [Double](repeating: 0, count: count)
        var shard = [Int](repeating: 0, count: keys.count)
        for i in order {
            var best = 0
            for s in 1..<count where load[s] < load[best] { best = s }
            shard[i] = best
            load[best] += weights[i]
        }
        return shard
    }
}
