import ArgumentParser

/// `engram phase0 …`: the steps of the Phase 0 analysis (SPEC §1–§7).
struct Phase0Command: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phase0",
        abstract: "Phase 0: splits, latents, frames, fit, evaluate, report, or run them all.",
        subcommands: [SplitsCommand.self, LatentsCommand.self, MergeCommand.self, FramesCommand.self, FitCommand.self,
                      EvaluateCommand.self, ReportCommand.self, RunCommand.self]
    )
}
