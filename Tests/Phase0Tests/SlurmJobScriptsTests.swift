import EngramCore
import Foundation
import XCTest
import TestSupport
@testable import Phase0

/// The sbatch scripts of `engram slurm phase0`: directives, the commands they run, and the
/// submission order (checked by running submit.sh against stand-in `sbatch` and `engram` programs
/// that log their arguments). The real-Slurm check is scripts/slurm-local-test.sh.
final class SlurmJobScriptsTests: XCTestCase {
    func make(_ dir: URL, shards: Int = 4) throws -> SlurmJobScripts {
        try SlurmJobScripts(engram: dir.appendingPathComponent("bin/engram").path, config: "/cfg/it's phase0.yaml", shards: shards,
                            partition: "gpu-low", time: "2:00:00", cpus: 3, memory: "8G", analysisTime: "1-00:00",
                            workingDirectory: dir.path, folder: dir.appendingPathComponent("jobs").path)
    }

    func testDirectivesAndCommands() throws {
        let dir = makeTempDir("slurm-scripts")
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try make(dir)
        let files = Dictionary(uniqueKeysWithValues: s.files.map { ($0.name, $0.text) })
        let latents = try XCTUnwrap(files["latents.sbatch"]), analysis = try XCTUnwrap(files["analysis.sbatch"])
        for line in ["#SBATCH --array=0-3", "#SBATCH --cpus-per-task=3", "#SBATCH --partition=gpu-low", "#SBATCH --time=2:00:00",
                     "#SBATCH --mem=8G", "#SBATCH --chdir=\(dir.path)", "#SBATCH --output=\(dir.path)/jobs/logs/latents-%A_%a.out",
                     "phase0 latents --config '/cfg/it'\\''s phase0.yaml' --threads \"${SLURM_CPUS_PER_TASK:-3}\""] {
            XCTAssertTrue(latents.contains(line), "latents.sbatch lacks \(line)\n\(latents)")
        }
        XCTAssertTrue(latents.hasPrefix("#!/bin/bash\n#SBATCH"), "directives must come before any command")
        XCTAssertFalse(analysis.contains("--array"))
        XCTAssertTrue(analysis.contains("#SBATCH --time=1-00:00"))
        let steps = ["merge", "frames", "fit", "evaluate", "report"].map { "phase0 \($0) --config" }
        var last = analysis.startIndex
        for st in steps {
            guard let r = analysis.range(of: st, range: last..<analysis.endIndex) else { return XCTFail("analysis lacks \(st) after the previous step") }
            last = r.upperBound
        }
        XCTAssertTrue(analysis.contains("phase0 merge --config '/cfg/it'\\''s phase0.yaml' --shards 4"))
        for (name, text) in files {
            let url = dir.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            let r = try runProcess("bash", ["-n", url.path])
            XCTAssertEqual(r.status, 0, "\(name): \(r.err)")
        }
    }

    func testValidation() throws {
        func err(_ body: () throws -> SlurmJobScripts) -> String {
            do { _ = try body(); return "" } catch { return "\(error)" }
        }
        let base = (engram: "/e", config: "/c", wd: "/w", folder: "/f")
        XCTAssertTrue(err { try SlurmJobScripts(engram: base.engram, config: base.config, shards: 0, workingDirectory: base.wd, folder: base.folder) }.contains("--shards"))
        XCTAssertTrue(err { try SlurmJobScripts(engram: base.engram, config: base.config, shards: 2, cpus: 0, workingDirectory: base.wd, folder: base.folder) }.contains("--cpus"))
        XCTAssertTrue(err { try SlurmJobScripts(engram: base.engram, config: base.config, shards: 2, time: "2h", workingDirectory: base.wd, folder: base.folder) }.contains("'2h' is not a Slurm time"))
        XCTAssertTrue(err { try SlurmJobScripts(engram: base.engram, config: base.config, shards: 2, partition: "a b", workingDirectory: base.wd, folder: base.folder) }.contains("--partition"))
        XCTAssertTrue(err { try SlurmJobScripts(engram: base.engram, config: base.config, shards: 2, memory: "lots", workingDirectory: base.wd, folder: base.folder) }.contains("--mem"))
        XCTAssertTrue(err { try SlurmJobScripts(engram: base.engram, config: base.config, shards: 2, workingDirectory: "/my work", folder: base.folder) }.contains("white space"))
        for t in ["30", "30:00", "4:00:00", "2-12", "2-12:30", "2-12:30:00"] { XCTAssertTrue(SlurmJobScripts.isSlurmTime(t), t) }
        for t in ["", "1h", "1:2:3:4", "-1", "2-"] { XCTAssertFalse(SlurmJobScripts.isSlurmTime(t), t) }
    }

    /// submit.sh makes the splits, submits the array, then the analysis with afterok on the array id.
    func testSubmitChainsTheAnalysisAfterTheArray() throws {
        let dir = makeTempDir("slurm-submit")
        defer { try? FileManager.default.removeItem(at: dir) }
        let bin = dir.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let log = dir.appendingPathComponent("calls.log").path
        try """
        #!/bin/bash
        echo "sbatch $*" >> \(log)
        if [[ "$*" == *latents.sbatch* ]]; then echo "4242;cluster"; else echo "4243"; fi
        """.write(to: bin.appendingPathComponent("sbatch"), atomically: true, encoding: .utf8)
        try "#!/bin/bash\necho \"engram $* (cwd $PWD)\" >> \(log)\n".write(to: bin.appendingPathComponent("engram"), atomically: true, encoding: .utf8)
        for f in ["sbatch", "engram"] { chmod(bin.appendingPathComponent(f).path, 0o755) }

        let urls = try make(dir, shards: 2).write()
        XCTAssertEqual(urls.map(\.lastPathComponent), ["latents.sbatch", "analysis.sbatch", "submit.sh"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.path + "/jobs/logs"), "Slurm needs the log folder to exist")
        let path = bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let r = try runProcess("bash", [dir.path + "/jobs/submit.sh"], env: ["PATH": path])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("submitted latents array job 4242 (2 tasks) and analysis job 4243"), r.out)
        let calls = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(calls, [
            "engram phase0 splits --config /cfg/it's phase0.yaml (cwd \(dir.path))",
            "sbatch --parsable latents.sbatch",
            "sbatch --parsable --dependency=afterok:4242 analysis.sbatch",
        ])
        XCTAssertEqual(try String(contentsOfFile: dir.path + "/jobs/job_ids.txt", encoding: .utf8), "4242 4243\n")

        // The array task runs engram on its shard (the task id comes from Slurm's environment).
        let task = try runProcess("bash", [dir.path + "/jobs/latents.sbatch"], env: ["PATH": path, "SLURM_CPUS_PER_TASK": "5"])
        XCTAssertEqual(task.status, 0, task.err)
        XCTAssertTrue(try String(contentsOfFile: log, encoding: .utf8).contains("engram phase0 latents --config /cfg/it's phase0.yaml --threads 5"))
        // The analysis job treats report's exit 1 (Phase 0 FAIL) as a result, other failures as errors.
        for (code, want) in [(1, Int32(0)), (2, Int32(2))] {
            try "#!/bin/bash\n[ \"$2\" = report ] && exit \(code)\nexit 0\n".write(to: bin.appendingPathComponent("engram"), atomically: true, encoding: .utf8)
            chmod(bin.appendingPathComponent("engram").path, 0o755)
            let a = try runProcess("bash", [dir.path + "/jobs/analysis.sbatch"], env: ["PATH": path])
            XCTAssertEqual(a.status, want, "report exit \(code)")
        }
    }
}
