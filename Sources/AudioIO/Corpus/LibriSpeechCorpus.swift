import Foundation
import EngramCore

/// A LibriSpeech-layout subset: `ROOT/<subset>/<speaker>/<chapter>/<speaker>-<chapter>-<utt>.flac`,
/// transcripts `<speaker>-<chapter>.trans.txt`, speaker metadata `ROOT/SPEAKERS.TXT` (SPEC §1).
///
/// Listing follows the research pipeline (`get_speaker_ids` / `get_utterances`): speaker and chapter
/// folders with all-digit names, every `*.flac` inside, durations from the FLAC header; speaker ids
/// sorted as integers. Utterances are sorted by id (string order) so every run lists them alike.
/// No duration filter is applied here (the research pipeline's splits use every utterance); use
/// `utterances(minDuration:)` for the `data.min_duration_sec` rule.
public struct LibriSpeechCorpus: Sendable {
    /// The subset folder.
    public var subsetURL: URL
    /// Speakers with at least one readable utterance, ascending.
    public var speakerIDs: [Int]
    /// All readable utterances, sorted by id.
    public var utterances: [LibriSpeechUtterance]
    /// `SPEAKERS.TXT` rows by speaker id (empty when the file is absent).
    public var speakerMetadata: [Int: SpeakerMetadata]
    /// Files and folders left out (only non-empty under `on_error: skip`).
    public var issues: [CorpusIssue]
    /// Notes that do not affect the data (e.g. no SPEAKERS.TXT, speakers without metadata).
    public var warnings: [String]

    /// Utterances at least `minDuration` seconds long (the research pipeline keeps `duration >= min`).
    public func utterances(minDuration: Double) -> [LibriSpeechUtterance] {
        utterances.filter { $0.duration >= minDuration }
    }

    /// Total audio, seconds.
    public var totalDuration: Double { utterances.reduce(0) { $0 + $1.duration } }

    /// Scans the subset named by the config's `data` section (`librispeech_path`, `subset`, `on_error`).
    public static func scan(config: Phase0Config, progress: Bool = true) throws -> LibriSpeechCorpus {
        try scan(root: URL(fileURLWithPath: config.data.librispeechPath), subset: config.data.subset,
                 onError: config.data.onError, configFile: config.sourceFile.isEmpty ? nil : config.sourceFile, progress: progress)
    }

    /// Scans `root/subset`. A missing subset folder is always an error; other problems (non-numeric
    /// folders, unreadable or truncated FLAC files, missing transcripts, duplicate ids, speakers without
    /// audio) stop the scan under `.fail` or are collected in `issues` under `.skip`.
    /// Header reads run in parallel; the result does not depend on the thread count.
    public static func scan(root: URL, subset: String, onError: Phase0Config.OnError = .fail,
                            configFile: String? = nil, verifyFileEnds: Bool = true, progress: Bool = true) throws -> LibriSpeechCorpus {
        let subsetURL = root.appendingPathComponent(subset)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: subsetURL.path, isDirectory: &isDir), isDir.boolValue else {
            let from = configFile.map { " (data.librispeech_path + data.subset in \($0))" } ?? ""
            throw EngramError(subsetURL.path, "LibriSpeech subset folder not found\(from)")
        }
        var issues = [CorpusIssue]()
        var warnings = [String]()

        // 1. Walk the folders (cheap, sequential).
        struct Job { var id: String; var speaker: Int; var chapter: Int; var path: String }
        var jobs = [Job]()
        var chapterFiles = [(speaker: Int, chapter: Int, dir: URL, flacIDs: [String])]()
        var speakerFolders = [(id: Int, name: String)]()
        for name in try listDirectory(subsetURL) where isDirectory(subsetURL.appendingPathComponent(name)) {
            if let id = LibriSpeechName.number(name) { speakerFolders.append((id, name)) } else {
                issues.append(CorpusIssue(subsetURL.appendingPathComponent(name).path, "speaker folder name is not a number"))
            }
        }
        speakerFolders.sort { ($0.id, $0.name) < ($1.id, $1.name) }
        for (speaker, sname) in speakerFolders {
            let sdir = subsetURL.appendingPathComponent(sname)
            var chapters = [(id: Int, name: String)]()
            for name in try listDirectory(sdir) where isDirectory(sdir.appendingPathComponent(name)) {
                if let id = LibriSpeechName.number(name) { chapters.append((id, name)) } else {
                    issues.append(CorpusIssue(sdir.appendingPathComponent(name).path, "chapter folder name is not a number"))
                }
            }
            chapters.sort { ($0.id, $0.name) < ($1.id, $1.name) }
            for (chapter, cname) in chapters {
                let cdir = sdir.appendingPathComponent(cname)
                var ids = [String]()
                for name in try listDirectory(cdir) where name.hasSuffix(".flac") {
                    let id = String(name.dropLast(5))
                    let path = cdir.appendingPathComponent(name).path
                    guard let parsed = LibriSpeechName.parse(id) else {
                        issues.append(CorpusIssue(path, "file name is not <speaker>-<chapter>-<utterance>.flac with numeric parts"))
                        continue
                    }
                    guard parsed.speaker == speaker, parsed.chapter == chapter else {
                        issues.append(CorpusIssue(path, "file name says speaker \(parsed.speaker) chapter \(parsed.chapter) but the file is in folder \(sname)/\(cname)"))
                        continue
                    }
                    ids.append(id)
                    jobs.append(Job(id: id, speaker: speaker, chapter: chapter, path: path))
                }
                chapterFiles.append((speaker, chapter, cdir, ids))
            }
        }

        // 2. FLAC headers in parallel (fixed chunking; results land in their own slots).
        var results = [Result<FLACProbe, CorpusIssue>?](repeating: nil, count: jobs.count)
        let reporter = ProgressReporter("corpus headers", total: jobs.count, enabled: progress ? nil : false)
        let chunk = 64
        let nChunks = (jobs.count + chunk - 1) / chunk
        results.withUnsafeMutableBufferPointer { out in
            let out = out
            DispatchQueue.concurrentPerform(iterations: nChunks) { c in
                let lo = c * chunk, hi = min(jobs.count, lo + chunk)
                for i in lo..<hi { out[i] = FLACProbe.read(path: jobs[i].path, verifyEnd: verifyFileEnds) }
                reporter.advance(hi - lo)
            }
        }
        if nChunks > 0 { reporter.finish() }

        // 3. Transcripts, per chapter.
        var transcripts = [String: String]()
        for ch in chapterFiles {
            let file = ch.dir.appendingPathComponent(TranscriptFile.name(speaker: ch.speaker, chapter: ch.chapter))
            guard let data = FileManager.default.contents(atPath: file.path) else {
                if !ch.flacIDs.isEmpty {
                    issues.append(CorpusIssue(file.path, FileManager.default.fileExists(atPath: file.path) ? "cannot read transcript file" : "transcript file missing"))
                }
                continue
            }
            let parsed = TranscriptFile.parse(String(decoding: data, as: UTF8.self), file: file.path, speaker: ch.speaker, chapter: ch.chapter)
            issues += parsed.issues
            let present = Set(ch.flacIDs)
            for id in parsed.texts.keys.sorted() where !present.contains(id) {
                issues.append(CorpusIssue(ch.dir.appendingPathComponent(id + ".flac").path, "listed in \(file.lastPathComponent) but the audio file is missing"))
            }
            for id in ch.flacIDs.sorted() where parsed.texts[id] == nil {
                issues.append(CorpusIssue(file.path, "no transcript line for utterance \(id)"))
            }
            transcripts.merge(parsed.texts) { a, _ in a }
        }

        // 4. Assemble: readable files, duplicate ids rejected (first path in walk order wins).
        var utterances = [LibriSpeechUtterance]()
        utterances.reserveCapacity(jobs.count)
        var seen = [String: String]()
        for (job, r) in zip(jobs, results) {
            switch r! {
            case .failure(let issue): issues.append(issue)
            case .success(let p):
                if let other = seen[job.id] {
                    issues.append(CorpusIssue(job.path, "duplicate utterance id \(job.id) (also \(other))"))
                    continue
                }
                seen[job.id] = job.path
                utterances.append(LibriSpeechUtterance(id: job.id, speakerID: job.speaker, chapterID: job.chapter, path: job.path,
                                                       sampleRate: p.sampleRate, channels: p.channels, bitsPerSample: p.bitsPerSample,
                                                       samples: p.totalSamples, transcript: transcripts[job.id]))
            }
        }
        utterances.sort { $0.id < $1.id }
        let withAudio = Set(utterances.map(\.speakerID))
        var speakerIDs = [Int]()
        var seenSpeakers = Set<Int>()
        for (id, name) in speakerFolders {
            if !seenSpeakers.insert(id).inserted { continue }
            if withAudio.contains(id) { speakerIDs.append(id) } else {
                issues.append(CorpusIssue(subsetURL.appendingPathComponent(name).path, "speaker folder has no readable .flac files"))
            }
        }

        // 5. SPEAKERS.TXT (metadata only: its absence is a warning, its malformed lines are issues).
        var meta = [Int: SpeakerMetadata]()
        let speakersFile = root.appendingPathComponent("SPEAKERS.TXT")
        if let data = FileManager.default.contents(atPath: speakersFile.path) {
            let parsed = SpeakerMetadata.parse(String(decoding: data, as: UTF8.self), file: speakersFile.path)
            meta = parsed.speakers
            issues += parsed.issues
            let missing = speakerIDs.filter { meta[$0] == nil }
            if !missing.isEmpty {
                warnings.append("\(speakersFile.path): no metadata for \(missing.count) speaker(s): \(missing.prefix(10).map(String.init).joined(separator: ", "))\(missing.count > 10 ? ", …" : "")")
            }
        } else {
            warnings.append("\(speakersFile.path): not found (speaker sex/name unknown)")
        }

        if !issues.isEmpty && onError == .fail { throw CorpusIssue.failure(issues) }
        return LibriSpeechCorpus(subsetURL: subsetURL, speakerIDs: speakerIDs, utterances: utterances,
                                 speakerMetadata: meta, issues: issues, warnings: warnings)
    }

    /// Visible entries of a folder, sorted by name.
    static func listDirectory(_ url: URL) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: url.path).filter { !$0.hasPrefix(".") }.sorted()
        } catch {
            throw EngramError(url.path, "cannot list folder (\(error.localizedDescription))")
        }
    }

    static func isDirectory(_ url: URL) -> Bool {
        var d: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &d) && d.boolValue
    }
}
