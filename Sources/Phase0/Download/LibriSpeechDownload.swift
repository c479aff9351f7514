import AudioIO
import Encoders
import EngramCore
import Formats
import Foundation

/// `engram download librispeech`: fetches one LibriSpeech subset archive from OpenSLR (resource 12)
/// and extracts it to `dest/LibriSpeech/<subset>` — what the research pipeline's
/// `scripts/00_download_librispeech.sh` does with `wget -c` and `tar -xzf`, plus:
///
/// - Resume: bytes go to `dest/<subset>.tar.gz.part`; an interrupted transfer (dropped connection,
///   killed process) continues from the part's size with an HTTP `Range` request, within a run
///   (up to `attempts` requests) and across runs.
/// - Integrity: the archive's MD5 must equal OpenSLR's published value (`publishedMD5`) before
///   anything is extracted; a mismatching download is deleted. The archive is renamed to
///   `<subset>.tar.gz` only once verified.
/// - Extraction: native gzip + tar (Formats/Archive, CRC-32 checked) into a hidden staging folder
///   `dest/.LibriSpeech-<subset>.extracting-<pid>`; the subset folder is renamed into place only when
///   complete, so `dest/LibriSpeech/<subset>` never exists half-extracted. Leftover staging folders of
///   an interrupted run are removed. The corpus-wide files (SPEAKERS.TXT, CHAPTERS.TXT, …) are added
///   next to it when missing.
/// - Errors name the URL or file and say what to do (network: rerun to resume; disk: free space).
public struct LibriSpeechDownload {
    /// OpenSLR's LibriSpeech resource folder.
    public static let defaultBaseURL = URL(string: "https://www.openslr.org/resources/12")!

    /// MD5 of each archive as published by OpenSLR (https://www.openslr.org/resources/12/md5sum.txt).
    public static let publishedMD5: [String: String] = [
        "dev-clean": "42e2234ba48799c1f50f24a7926300a1",
        "dev-other": "c8d0bcc9cca99d4f8b62fcc847357931",
        "test-clean": "32fa31d27d2e1cad72775fee3f4849a9",
        "test-other": "fb5a50374b501bb3bac4815ee91d3135",
        "train-clean-100": "2a93770f6d5c6c964bc36631d331a522",
        "train-clean-360": "c0e676e450a7ff2f54aeade5171606fa",
        "train-other-500": "d1a0fd59409feb2c614ce4d30c387708",
    ]

    public var subset: String
    public var dest: URL
    public var baseURL: URL
    /// Expected MD5 (lowercase hex); defaults to the published value for `subset`.
    public var md5: String?
    /// HTTP requests per run before giving up (each resumes where the last stopped).
    public var attempts = 5
    /// Seconds between attempts.
    public var retryDelay = 2.0
    /// Progress lines (stderr in the CLI).
    public var log: (String) -> Void = { _ in }

    public init(subset: String, dest: URL, baseURL: URL = LibriSpeechDownload.defaultBaseURL, md5: String? = nil) {
        self.subset = subset
        self.dest = dest
        self.baseURL = baseURL
        self.md5 = md5?.lowercased()
    }

    public struct Outcome: Sendable {
        public var archive: URL
        public var subsetFolder: URL
        /// The archive was already downloaded and verified / the subset was already extracted.
        public var downloadSkipped = false
        public var extractionSkipped = false
        /// Bytes fetched by this run, and the part size it resumed from.
        public var downloadedBytes: Int64 = 0
        public var resumedFrom: Int64 = 0
        public var requests = 0
        public var speakers = 0
        public var flacFiles = 0
    }

    public var archiveURL: URL { dest.appendingPathComponent("\(subset).tar.gz") }
    public var partURL: URL { dest.appendingPathComponent("\(subset).tar.gz.part") }
    public var subsetFolder: URL { dest.appendingPathComponent("LibriSpeech").appendingPathComponent(subset) }
    public var url: URL { baseURL.appendingPathComponent("\(subset).tar.gz") }

    public func run() throws -> Outcome {
        guard let want = md5 ?? Self.publishedMD5[subset] else {
            throw EngramError("--subset", "unknown LibriSpeech subset '\(subset)'; known: \(Self.publishedMD5.keys.sorted().joined(separator: ", ")) (or pass --md5 for another archive)")
        }
        guard want.count == 32, want.allSatisfy(\.isHexDigit) else { throw EngramError("--md5", "expected 32 hex digits, got '\(want)'") }
        var out = Outcome(archive: archiveURL, subsetFolder: subsetFolder)
        let fm = FileManager.default
        if fm.fileExists(atPath: subsetFolder.path) {
            log("\(subsetFolder.path) already exists; skipping download and extraction")
            out.downloadSkipped = true
            out.extractionSkipped = true
            (out.speakers, out.flacFiles) = Self.count(subsetFolder)
            return out
        }
        do { try fm.createDirectory(at: dest, withIntermediateDirectories: true) } catch {
            throw EngramError(dest.path, "cannot create folder: \(error.localizedDescription)")
        }

        // 1. The archive, verified.
        if fm.fileExists(atPath: archiveURL.path) {
            let got = try Self.fileMD5(archiveURL)
            if got == want {
                log("\(archiveURL.path) already downloaded (MD5 verified)")
                out.downloadSkipped = true
            } else {
                log("\(archiveURL.path) has MD5 \(got), expected \(want): deleting it and downloading again")
                try? fm.removeItem(at: archiveURL)
            }
        }
        if !out.downloadSkipped {
            try download(into: &out)
            log("verifying MD5 of \(partURL.lastPathComponent)")
            let got = try Self.fileMD5(partURL)
            guard got == want else {
                try? fm.removeItem(at: partURL)
                throw EngramError(url.absoluteString, "MD5 mismatch: the download has \(got), the published MD5 is \(want); the download was deleted — rerun to fetch it again")
            }
            if rename(partURL.path, archiveURL.path) != 0 {
                throw EngramError(archiveURL.path, "cannot rename the verified download into place (\(String(cString: strerror(errno))))")
            }
        }

        // 2. Extraction into staging, then one rename.
        try extract()
        (out.speakers, out.flacFiles) = Self.count(subsetFolder)
        return out
    }

    func download(into out: inout Outcome) throws {
        let fm = FileManager.default
        if !fm.fileExists(atPath: partURL.path), !fm.createFile(atPath: partURL.path, contents: nil) {
            throw EngramError(partURL.path, "cannot create file (\(String(cString: strerror(errno))))")
        }
        let initial = Self.size(partURL)
        out.resumedFrom = initial
        log(initial > 0 ? "resuming \(url.absoluteString) at byte \(initial)" : "downloading \(url.absoluteString)")
        var lastPrinted = Date.distantPast
        var lastMessage = ""
        for attempt in 1...max(1, attempts) {
            let have = Self.size(partURL)
            out.requests += 1
            do {
                _ = try HTTPRangeTransfer(url: url, file: partURL, offset: have, progress: { done, total in
                    if Date().timeIntervalSince(lastPrinted) >= 5 {
                        lastPrinted = Date()
                        let t = total.map { String(format: " of %.1f MB (%.0f %%)", Double($0) / 1e6, 100 * Double(done) / Double(max($0, 1))) } ?? ""
                        self.log(String(format: "  %.1f MB", Double(done) / 1e6) + t)
                    }
                }).run()
                out.downloadedBytes = Self.size(partURL) - initial
                return
            } catch let f as HTTPRangeTransfer.Failure {
                lastMessage = f.message
                if !f.retryable { break }
                if attempt < attempts {
                    log("transfer interrupted (\(f.message)); resuming at byte \(Self.size(partURL)) (attempt \(attempt + 1) of \(attempts))")
                    if retryDelay > 0 { Thread.sleep(forTimeInterval: retryDelay) }
                }
            }
        }
        out.downloadedBytes = Self.size(partURL) - initial
        if lastMessage.hasPrefix("cannot write"), let free = Self.freeBytes(dest), free < 1 << 20 {
            lastMessage += " — the disk is full (\(free) bytes free in \(dest.path))"
        }
        throw EngramError(url.absoluteString, "download failed after \(out.requests) request(s): \(lastMessage). "
                          + "The \(Self.size(partURL)) bytes received are kept in \(partURL.path); rerun the same command to resume "
                          + "(check the network connection, or the free space in \(dest.path))")
    }

    func extract() throws {
        let fm = FileManager.default
        let stagingPrefix = ".LibriSpeech-\(subset).extracting-"
        for name in (try? fm.contentsOfDirectory(atPath: dest.path)) ?? [] where name.hasPrefix(stagingPrefix) {
            log("removing the leftover of an interrupted extraction: \(name)")
            try? fm.removeItem(at: dest.appendingPathComponent(name))
        }
        let staging = dest.appendingPathComponent(stagingPrefix + "\(getpid())")
        defer { try? fm.removeItem(at: staging) }
        log("extracting \(archiveURL.lastPathComponent) (into \(staging.lastPathComponent), renamed into place when complete)")
        var extractor = TarExtractor(root: staging)
        extractor.filter = { $0.path == "LibriSpeech" || $0.path.hasPrefix("LibriSpeech/") }
        var lastPrinted = Date()
        extractor.progress = { bytes in
            if Date().timeIntervalSince(lastPrinted) >= 10 {
                lastPrinted = Date()
                self.log(String(format: "  %.1f MB extracted", Double(bytes) / 1e6))
            }
        }
        let summary: TarExtractor.Summary
        do { summary = try extractor.extractTarGz(archiveURL) } catch let e as EngramError {
            throw EngramError(e.location, "\(e.message) — extraction stopped; nothing was placed in \(subsetFolder.path). "
                              + "The verified archive \(archiveURL.lastPathComponent) is kept: fix the problem and rerun")
        }
        let stagedRoot = staging.appendingPathComponent("LibriSpeech")
        let stagedSubset = stagedRoot.appendingPathComponent(subset)
        guard fm.fileExists(atPath: stagedSubset.path) else {
            throw EngramError(archiveURL.path, "the archive has no LibriSpeech/\(subset)/ folder (\(summary.files) files extracted); is it the right archive?")
        }
        let finalRoot = dest.appendingPathComponent("LibriSpeech")
        do { try fm.createDirectory(at: finalRoot, withIntermediateDirectories: true) } catch {
            throw EngramError(finalRoot.path, "cannot create folder: \(error.localizedDescription)")
        }
        // Corpus-wide files (SPEAKERS.TXT, …) first, when missing; the subset folder last (the commit point).
        for name in (try? fm.contentsOfDirectory(atPath: stagedRoot.path)) ?? [] where name != subset {
            let target = finalRoot.appendingPathComponent(name)
            if !fm.fileExists(atPath: target.path) { _ = rename(stagedRoot.appendingPathComponent(name).path, target.path) }
        }
        if rename(stagedSubset.path, subsetFolder.path) != 0 {
            throw EngramError(subsetFolder.path, "cannot move the extracted subset into place (\(String(cString: strerror(errno))))")
        }
        log("extracted \(summary.files) files (\(String(format: "%.1f", Double(summary.bytes) / 1e6)) MB) into \(subsetFolder.path)")
    }

    /// Bytes available to unprivileged users on the file system holding `url`.
    static func freeBytes(_ url: URL) -> Int64? {
        var st = statvfs()
        guard statvfs(url.path, &st) == 0 else { return nil }
        return Int64(st.f_bavail) * Int64(st.f_frsize)
    }

    static func size(_ url: URL) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: url.path)[.size]) as? NSNumber)?.int64Value ?? 0
    }

    /// Lowercase hex MD5 of a file, read in 4 MiB blocks.
    public static func fileMD5(_ url: URL) throws -> String {
        guard let h = FileHandle(forReadingAtPath: url.path) else { throw EngramError(url.path, "cannot open for reading") }
        defer { try? h.close() }
        var md5 = MD5()
        while true {
            let d: Data
            do { d = try h.read(upToCount: 4 << 20) ?? Data() } catch {
                throw EngramError(url.path, "read failed: \(error.localizedDescription)")
            }
            if d.isEmpty { break }
            d.withUnsafeBytes { md5.update($0.baseAddress!, count: $0.count) }
        }
        return md5.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Speaker folders and FLAC files of an extracted subset.
    static func count(_ subset: URL) -> (Int, Int) {
        let fm = FileManager.default
        let speakers = ((try? fm.contentsOfDirectory(atPath: subset.path)) ?? []).filter { !$0.hasPrefix(".") }.count
        var flac = 0
        if let e = fm.enumerator(atPath: subset.path) {
            while let p = e.nextObject() as? String { if p.hasSuffix(".flac") { flac += 1 } }
        }
        return (speakers, flac)
    }
}
