import ArgumentParser
import EngramCore

struct BenchFormatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "formats", abstract: "Zarr and Parquet read/write throughput.")
    func run() throws { try reportingErrors { throw EngramError("bench formats", "not implemented yet") } }
}
