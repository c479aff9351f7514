import ArgumentParser
import Encoders
import EngramCore
import Foundation

/// `engram weights …`
struct WeightsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "weights", abstract: "Encoder checkpoints.",
                                                    subcommands: [WeightsFetchCommand.self])
}

/// `engram weights fetch mimi [--dest DIR]`: downloads Kyutai's released Mimi checkpoint with
/// HTTP range resume and a SHA-256 check, then checks it opens as a Mimi checkpoint.
struct WeightsFetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download encoder weights (resumable, SHA-256 checked).",
        discussion: """
            mimi: tokenizer-e351c8d8-checkpoint125.safetensors from Hugging Face (kyutai/moshiko-pytorch-bf16), \
            the file vae.checkpoint points at in configs/phase0.yaml. The expected SHA-256 is --sha256 if given, \
            else the digest Hugging Face publishes for the file (X-Linked-Etag). An interrupted download resumes \
            from DEST/<file>.part on the next run.
            """)

    static let mimiURL = "https://huggingface.co/kyutai/moshiko-pytorch-bf16/resolve/main/tokenizer-e351c8d8-checkpoint125.safetensors"

    @Argument(help: "Which weights (mimi).")
    var model: String
    @Option(help: "Destination folder.")
    var dest: String = "./data/mimi"
    @Option(help: "Download from this URL instead (a mirror or a local server).")
    var url: String?
    @Option(help: "Expected SHA-256 (64 hex digits).")
    var sha256: String?
    @Flag(help: "No progress line on stderr.")
    var quiet = false

    func run() throws {
        try reportingErrors {
            guard model == "mimi" else { throw EngramError("weights fetch", "unknown model '\(model)' (available: mimi)") }
            let source = url ?? Self.mimiURL
            guard let u = URL(string: source), let scheme = u.scheme?.lowercased(), scheme == "https" || scheme == "http" else {
                throw EngramError("--url", "not an http(s) URL: \(source)")
            }
            let file = URL(fileURLWithPath: dest).appendingPathComponent(u.lastPathComponent.isEmpty ? "mimi.safetensors" : u.lastPathComponent)
            if FileManager.default.fileExists(atPath: file.path), let want = sha256?.lowercased() {
                let (got, _) = try CheckpointDownload.fileSHA256(file)
                if got == want {
                    print("\(file.path) already present, SHA-256 \(got)")
                    return
                }
            }
            var job = CheckpointDownload(url: u, destination: file, sha256: sha256)
            var lastShown = Date.distantPast
            let tty = isatty(STDERR_FILENO) != 0 && !quiet
            if tty {
                job.progress = { done, total in
                    let now = Date()
                    guard now.timeIntervalSince(lastShown) > 0.25 else { return }
                    lastShown = now
                    let t = total.map { String(format: " / %.1f MB (%.0f%%)", Double($0) / 1e6, 100 * Double(done) / Double(max($0, 1))) } ?? ""
                    FileHandle.standardError.write(Data(String(format: "\r%.1f MB%@   ", Double(done) / 1e6, t).utf8))
                }
            }
            let outcome = try job.run()
            if tty { FileHandle.standardError.write(Data("\n".utf8)) }
            let names = try MimiWeightsLoader.tensorNames(file)
            guard let naming = MimiCheckpoint.detectNaming(names) else {
                throw EngramError(file.path, "downloaded and SHA-256 verified, but it is not a Mimi checkpoint")
            }
            print(String(format: "%@: %.1f MB, SHA-256 %@ verified%@; %d tensors, %@ naming",
                         file.path, Double(outcome.bytes) / 1e6, outcome.sha256,
                         outcome.resumedFrom > 0 ? String(format: " (resumed from %.1f MB)", Double(outcome.resumedFrom) / 1e6) : "",
                         names.count, naming.rawValue))
        }
    }
}
