import ArgumentParser
import EngramCore
import Foundation
import Phase0

/// `engram slurm …`: job scripts for running steps on a Slurm cluster.
struct SlurmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurm", abstract: "Write Slurm job scripts for a sharded run.",
        subcommands: [SlurmPhase0Command.self])
}

/// `engram slurm phase0`: an sbatch array for the latents shards plus a dependent analysis job.
struct SlurmPhase0Command: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phase0",
        abstract: "Write latents.sbatch (array of N shards), analysis.sbatch (merge → report) and submit.sh.",
        discussion: """
        Run the printed submit.sh on the cluster's login node: it makes the splits, submits the latents \
        array (one `engram phase0 latents` per shard, all writing into output.latents_dir) and the \
        analysis job with --dependency=afterok on the array (merge, frames, fit, evaluate, report). \
        The scripts call this engram executable and this config by absolute path and run in the \
        current folder, so both must be visible from the compute nodes.
        """)
    @OptionGroup var options: ConfigOption
    @Option(name: .long, help: "Number of latents shards (array tasks).")
    var shards: Int
    @Option(name: .long, help: "Slurm partition.")
    var partition: String?
    @Option(name: .long, help: "Wall-time limit per latents task (e.g. 4:00:00).")
    var time: String?
    @Option(name: .long, help: "CPUs per task (= encoder threads).")
    var cpus: Int = 2
    @Option(name: .long, help: "Memory per task (e.g. 16G).")
    var mem: String?
    @Option(name: .customLong("analysis-time"), help: "Wall-time limit of the analysis job (default: --time).")
    var analysisTime: String?
    @Option(name: .customLong("analysis-cpus"), help: "CPUs of the analysis job (default: --cpus).")
    var analysisCPUs: Int?
    @Option(name: .customLong("out"), help: "Folder for the scripts and logs (default: <report folder>/slurm).")
    var out: String?
    @Option(name: .long, help: "engram executable the jobs run (default: this one).")
    var engram: String?

    func run() throws {
        try reportingErrors {
            let config = try Phase0Config.load(file: options.config)
            let cwd = FileManager.default.currentDirectoryPath
            func absolute(_ p: String) -> String { URL(fileURLWithPath: p, relativeTo: URL(fileURLWithPath: cwd + "/")).standardizedFileURL.path }
            let exe = engram.map(absolute) ?? Self.currentExecutable()
            guard FileManager.default.isExecutableFile(atPath: exe) else { throw EngramError(exe, "not an executable (pass --engram PATH)") }
            let folder = absolute(out ?? config.output.reportDir.appendingPathComponent("slurm").path)
            let scripts = try SlurmJobScripts(engram: exe, config: absolute(options.config), shards: shards, partition: partition,
                                              time: time, cpus: cpus, memory: mem, analysisTime: analysisTime,
                                              analysisCPUs: analysisCPUs, workingDirectory: cwd, folder: folder)
            let urls = try scripts.write()
            print("wrote \(urls.map(\.path).joined(separator: ", "))")
            print("submit with: bash \(folder)/submit.sh")
        }
    }

    /// Absolute path of the running executable.
    static func currentExecutable() -> String {
        #if os(Linux)
        if let p = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return p }
        #endif
        return Bundle.main.executablePath ?? CommandLine.arguments[0]
    }
}
