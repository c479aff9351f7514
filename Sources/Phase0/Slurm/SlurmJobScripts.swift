import EngramCore
import Foundation

/// The Slurm job scripts of a sharded Phase 0 run (`engram slurm phase0`):
///
/// - `latents.sbatch`: an array job of N tasks, each `engram phase0 latents` on its shard (the task
///   reads `SLURM_ARRAY_TASK_ID` / `SLURM_ARRAY_TASK_COUNT`); tasks write into one store.
/// - `analysis.sbatch`: `engram phase0 merge`, `frames`, `fit`, `evaluate`, `report` — submitted with
///   `--dependency=afterok:<array job>`, so it starts only when every shard succeeded. `report` exits
///   1 when the phase FAILs; that is a result, so the job still succeeds.
/// - `submit.sh`: makes the splits (a quick corpus scan) on the submitting machine, then submits
///   both jobs and prints their ids.
///
/// Jobs run in `workingDirectory` (`#SBATCH --chdir`), so relative paths in the config mean what
/// they meant where the scripts were written. Logs go to `<folder>/logs/`.
public struct SlurmJobScripts: Equatable, Sendable {
    public var engram: String
    public var config: String
    public var shards: Int
    public var partition: String?
    /// Wall-time limit per task, in Slurm's syntax (`MM`, `HH:MM:SS`, `D-HH:MM`, …).
    public var time: String?
    public var cpus: Int
    /// Memory per task (Slurm syntax, e.g. `16G`); nil leaves the cluster default.
    public var memory: String?
    public var analysisTime: String?
    public var analysisCPUs: Int
    public var workingDirectory: String
    /// Folder the scripts are written to (absolute).
    public var folder: String

    public init(engram: String, config: String, shards: Int, partition: String? = nil, time: String? = nil, cpus: Int = 2,
                memory: String? = nil, analysisTime: String? = nil, analysisCPUs: Int? = nil,
                workingDirectory: String, folder: String) throws {
        guard shards >= 1 else { throw EngramError("--shards", "must be at least 1, got \(shards)") }
        guard cpus >= 1 else { throw EngramError("--cpus", "must be at least 1, got \(cpus)") }
        if let a = analysisCPUs, a < 1 { throw EngramError("--analysis-cpus", "must be at least 1, got \(a)") }
        for (flag, t) in [("--time", time), ("--analysis-time", analysisTime)] {
            if let t, !Self.isSlurmTime(t) {
                throw EngramError(flag, "'\(t)' is not a Slurm time (minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS)")
            }
        }
        if let p = partition, p.isEmpty || p.contains(where: { $0.isWhitespace || $0 == "'" || $0 == "\"" }) {
            throw EngramError("--partition", "'\(p)' is not a partition name")
        }
        if let m = memory, m.range(of: #"^[0-9]+[KMGT]?$"#, options: .regularExpression) == nil {
            throw EngramError("--mem", "'\(m)' is not a Slurm memory size (e.g. 16G)")
        }
        for (what, p) in [("scripts folder", folder), ("working directory", workingDirectory)] where p.contains(where: { $0.isWhitespace }) {
            throw EngramError(p, "the \(what) contains white space, which #SBATCH lines cannot carry; choose another folder")
        }
        self.engram = engram; self.config = config; self.shards = shards; self.partition = partition
        self.time = time; self.cpus = cpus; self.memory = memory; self.analysisTime = analysisTime ?? time
        self.analysisCPUs = analysisCPUs ?? cpus; self.workingDirectory = workingDirectory; self.folder = folder
    }

    /// Slurm's `--time` formats.
    static func isSlurmTime(_ t: String) -> Bool {
        t.range(of: #"^([0-9]+|[0-9]+:[0-9]+|[0-9]+:[0-9]+:[0-9]+|[0-9]+-[0-9]+|[0-9]+-[0-9]+:[0-9]+|[0-9]+-[0-9]+:[0-9]+:[0-9]+)$"#,
                options: .regularExpression) != nil
    }

    /// POSIX shell single-quoting.
    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    func header(name: String, log: String, cpus: Int, time: String?) -> [String] {
        var h = ["#!/bin/bash", "#SBATCH --job-name=\(name)", "#SBATCH --cpus-per-task=\(cpus)", "#SBATCH --ntasks=1",
                 "#SBATCH --chdir=\(workingDirectory)", "#SBATCH --output=\(folder)/logs/\(log)"]
        if let partition { h.append("#SBATCH --partition=\(partition)") }
        if let time { h.append("#SBATCH --time=\(time)") }
        if let memory { h.append("#SBATCH --mem=\(memory)") }
        return h
    }

    /// Script name → text.
    public var files: [(name: String, text: String)] {
        let e = Self.quote(engram), c = Self.quote(config)
        var latents = header(name: "engram-latents", log: "latents-%A_%a.out", cpus: cpus, time: time)
        latents.insert("#SBATCH --array=0-\(shards - 1)", at: 2)
        latents += [
            "# One shard of \(shards) per array task: engram reads SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT.",
            "# Finished utterances are skipped, so a failed or preempted task can simply be resubmitted.",
            "set -euo pipefail",
            "exec \(e) phase0 latents --config \(c) --threads \"${SLURM_CPUS_PER_TASK:-\(cpus)}\"",
        ]
        var analysis = header(name: "engram-analysis", log: "analysis-%j.out", cpus: analysisCPUs, time: analysisTime)
        analysis += [
            "# Runs after every latents task succeeded (submitted with --dependency=afterok).",
            "set -euo pipefail",
            "\(e) phase0 merge --config \(c) --shards \(shards)",
            "\(e) phase0 frames --config \(c)",
            "\(e) phase0 fit --config \(c)",
            "\(e) phase0 evaluate --config \(c)",
            "# report exits 1 when Phase 0 FAILs: a result, not an error.",
            "status=0",
            "\(e) phase0 report --config \(c) || status=$?",
            "if [ \"$status\" -gt 1 ]; then exit \"$status\"; fi",
        ]
        let submit = [
            "#!/bin/bash",
            "# Submits the sharded Phase 0 run: splits here, then the latents array and the dependent analysis job.",
            "set -euo pipefail",
            "cd \(Self.quote(folder))",
            "mkdir -p logs",
            "(cd \(Self.quote(workingDirectory)) && \(e) phase0 splits --config \(c))",
            "array=$(sbatch --parsable latents.sbatch)",
            "array=${array%%;*}",
            "analysis=$(sbatch --parsable --dependency=afterok:\"$array\" analysis.sbatch)",
            "analysis=${analysis%%;*}",
            "echo \"submitted latents array job $array (\(shards) tasks) and analysis job $analysis (runs when all tasks succeed)\"",
            "echo \"$array $analysis\" > job_ids.txt",
        ]
        return [("latents.sbatch", latents.joined(separator: "\n") + "\n"),
                ("analysis.sbatch", analysis.joined(separator: "\n") + "\n"),
                ("submit.sh", submit.joined(separator: "\n") + "\n")]
    }

    /// Writes the scripts (atomically, executable) and the logs folder; returns their URLs.
    @discardableResult
    public func write() throws -> [URL] {
        let dir = URL(fileURLWithPath: folder)
        let logs = dir.appendingPathComponent("logs")
        do { try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true) } catch {
            throw EngramError(logs.path, "cannot create folder: \(error.localizedDescription)")
        }
        var urls = [URL]()
        for (name, text) in files {
            let url = dir.appendingPathComponent(name)
            try AtomicFile.write(text, to: url)
            if chmod(url.path, 0o755) != 0 { throw EngramError(url.path, "cannot make executable (\(String(cString: strerror(errno))))") }
            urls.append(url)
        }
        return urls
    }
}
