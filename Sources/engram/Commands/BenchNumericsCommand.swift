import ArgumentParser
import EngramCore

struct BenchNumericsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "numerics", abstract: "GEMM, k-means and PCA throughput.")
    func run() throws { try reportingErrors { throw EngramError("bench numerics", "not implemented yet") } }
}
