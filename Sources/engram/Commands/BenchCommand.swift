import ArgumentParser
import EngramCore

/// `engram bench …`: benchmarks (not tests). Each prints throughput figures.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Benchmarks.",
                                                    subcommands: [BenchFLACCommand.self, BenchFormatsCommand.self,
                                                                  BenchNumericsCommand.self, BenchMimiCommand.self,
                                                                  BenchLatentsCommand.self, BenchParquetCommand.self])
}
