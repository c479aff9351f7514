import ArgumentParser
import EngramCore
import Foundation
import Phase0

/// `engram download …`: fetch data sets.
struct DownloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download", abstract: "Download data sets (LibriSpeech).",
        subcommands: [DownloadLibriSpeechCommand.self])
}

/// `engram download librispeech --subset S --dest D`.
struct DownloadLibriSpeechCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "librispeech",
        abstract: "Download a LibriSpeech subset from OpenSLR, verify its MD5 and extract it to DEST/LibriSpeech/<subset>.",
        discussion: """
        Resumes interrupted downloads (DEST/<subset>.tar.gz.part, HTTP Range), checks the archive against \
        OpenSLR's published MD5 before extracting, and extracts into a hidden staging folder that is renamed \
        into place when complete. Rerunning after any failure continues where it stopped.
        """)
    @Option(name: .long, help: "Subset: train-clean-100, train-clean-360, train-other-500, dev-clean, dev-other, test-clean, test-other.")
    var subset = "train-clean-100"
    @Option(name: .long, help: "Destination folder (the corpus ends up in DEST/LibriSpeech/<subset>).")
    var dest = "./data"
    @Option(name: .customLong("base-url"), help: "Folder URL holding <subset>.tar.gz (default: OpenSLR resource 12; for mirrors).")
    var baseURL: String?
    @Option(name: .long, help: "Expected MD5 of the archive (default: OpenSLR's published value for the subset).")
    var md5: String?
    @Option(name: .long, help: "HTTP requests per run before giving up (each resumes).")
    var attempts = 5
    @Option(name: .customLong("retry-delay"), help: "Seconds between attempts.")
    var retryDelay = 2.0

    func run() throws {
        try reportingErrors {
            var d = LibriSpeechDownload(subset: subset, dest: URL(fileURLWithPath: dest), md5: md5)
            if let b = baseURL {
                guard let u = URL(string: b), u.scheme == "http" || u.scheme == "https" else {
                    throw EngramError("--base-url", "expected an http(s) URL, got '\(b)'")
                }
                d.baseURL = u
            }
            guard attempts >= 1 else { throw EngramError("--attempts", "must be at least 1") }
            d.attempts = attempts
            d.retryDelay = max(0, retryDelay)
            d.log = { printErr($0) }
            let o = try d.run()
            if !o.downloadSkipped {
                print(String(format: "downloaded %.1f MB in %d request(s)%@", Double(o.downloadedBytes) / 1e6, o.requests,
                             o.resumedFrom > 0 ? " (resumed at byte \(o.resumedFrom))" : ""))
            }
            print("location: \(o.subsetFolder.path)")
            print("speakers: \(o.speakers), audio files: \(o.flacFiles)")
        }
    }
}
