import ArgumentParser
import EngramCore
import Foundation
import Phase0

/// `engram phase0 run`: all steps, skipping those already up to date. Exit 0 on PASS, 1 on FAIL.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run every Phase 0 step (splits → latents → frames → fit → evaluate → report), skipping those already up to date. Exits 0 on PASS, 1 on FAIL.")
    @OptionGroup var options: ConfigOption
    @Flag(name: .long, help: "Redo every step even when its outputs are up to date.")
    var force = false
    @Option(name: .long, help: "Worker threads for the latents step (default: all cores).")
    var threads: Int?

    func run() throws {
        var pass = false
        try reportingErrors {
            let config = try Phase0Config.load(file: options.config)
            let (result, timings) = try Phase0Run.run(config: config, force: force, workers: threads)
            print(result.text)
            for t in timings {
                printErr("  " + t.name.padding(toLength: 12, withPad: " ", startingAt: 0) + String(format: "%7.1f s", t.seconds) + (t.skipped ? "  (up to date)" : ""))
            }
            printErr("wrote \(result.files.map(\.path).joined(separator: ", "))")
            pass = result.decision.pass
        }
        if !pass { throw ExitCode(1) }
    }
}
