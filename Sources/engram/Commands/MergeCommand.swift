import ArgumentParser
import EngramCore
import Foundation
import Phase0

/// `engram phase0 merge`: joins a sharded latents run into the single-run outputs.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join the shards of `engram phase0 latents --shard I/N` into latents_index.parquet.",
        discussion: """
        Reads latents_shards/index.shard-IIII-of-NNNN.parquet (next to output.latents_index), checks \
        that every shard finished and every listed group is whole in output.latents_dir, then writes \
        output.latents_index, latents_failures.txt and the store's consolidated metadata — the same \
        files a single unsharded run writes.
        """)
    @OptionGroup var options: ConfigOption
    @Option(name: .long, help: "Number of shards (default: the count in the shard file names).")
    var shards: Int?

    func run() throws {
        try reportingErrors {
            let config = try Phase0Config.load(file: options.config)
            let s = try LatentsMerge.run(config: config, shards: shards)
            print("merged \(s.shards) shard(s): \(s.utterances) utterances, \(s.frames) frames, \(s.failures) failure(s) listed")
            print("wrote \(s.indexURL.path), \(s.failuresURL.path) and \(s.storeURL.path)/.zmetadata")
        }
    }
}
