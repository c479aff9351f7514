import Foundation
import EngramCore

extension DemoCorpus {
    /// Writes the corpus under `root`: `root/<subset>/…` and `root/SPEAKERS.TXT` (rows for our
    /// speakers added to an existing file, never replacing other rows). The subset is built in a
    /// hidden staging folder and renamed into place when complete, so an interrupted run leaves no
    /// half corpus. Utterances are synthesised and encoded in parallel (`threads`, default all cores);
    /// the bytes do not depend on it.
    public func write(to root: URL, threads: Int? = nil, progress: Bool = true) throws {
        let fm = FileManager.default
        let table = speakerTable()
        let plan = items(table)
        let final = root.appendingPathComponent(subset)
        let staging = root.appendingPathComponent(".\(subset).partial-\(getpid())")
        try? fm.removeItem(at: staging)
        do { try fm.createDirectory(at: staging, withIntermediateDirectories: true) } catch {
            throw EngramError(staging.path, "cannot create folder (\(error.localizedDescription))")
        }
        var durations = [Double](repeating: 0, count: plan.count)
        var transcripts = [String](repeating: "", count: plan.count)
        var failures = [EngramError?](repeating: nil, count: plan.count)
        let reporter = ProgressReporter("demo corpus", total: plan.count, enabled: progress ? nil : false)
        let workers = max(1, min(threads ?? ProcessInfo.processInfo.activeProcessorCount, plan.count))
        durations.withUnsafeMutableBufferPointer { dur in
            transcripts.withUnsafeMutableBufferPointer { tr in
                failures.withUnsafeMutableBufferPointer { fail in
                    let (dur, tr, fail) = (dur, tr, fail)
                    DispatchQueue.concurrentPerform(iterations: workers) { w in
                        var i = w
                        while i < plan.count {
                            let item = plan[i]
                            let u = synthesize(item, table: table)
                            dur[i] = u.duration
                            tr[i] = u.transcript
                            let dir = staging.appendingPathComponent("\(table[item.speakerIndex].id)/\(item.chapter)")
                            // Plain writes: the staging folder is committed atomically as a whole.
                            let file = dir.appendingPathComponent(item.id + ".flac")
                            do {
                                try fm.createDirectory(at: dir, withIntermediateDirectories: true)
                                try FLACEncoder.encode(samples: u.samples, channels: 1, sampleRate: sampleRate, bitsPerSample: 16).write(to: file)
                            } catch {
                                fail[i] = EngramError(file.path, "cannot encode or write (\(error.localizedDescription))")
                            }
                            reporter.advance()
                            i += workers
                        }
                    }
                }
            }
        }
        if !plan.isEmpty { reporter.finish() }
        if let e = failures.compactMap({ $0 }).first { try? fm.removeItem(at: staging); throw e }

        // Transcripts per chapter, in utterance order.
        var chapters = [String: [String]]()
        var chapterDir = [String: URL]()
        for (i, item) in plan.enumerated() {
            let spk = table[item.speakerIndex].id
            let key = "\(spk)-\(item.chapter)"
            chapters[key, default: []].append("\(item.id) \(transcripts[i])")
            chapterDir[key] = staging.appendingPathComponent("\(spk)/\(item.chapter)")
        }
        for (key, lines) in chapters {
            let file = chapterDir[key]!.appendingPathComponent("\(key).trans.txt")
            do { try Data(lines.map { $0 + "\n" }.joined().utf8).write(to: file) } catch {
                throw EngramError(file.path, "cannot write (\(error.localizedDescription))")
            }
        }
        try AtomicFile.commitDirectory(staging, to: final)

        // SPEAKERS.TXT: keep existing rows, add ours.
        var minutes = [Int: Double]()
        for (i, item) in plan.enumerated() { minutes[table[item.speakerIndex].id, default: 0] += durations[i] / 60 }
        let rows = table.map { SpeakerMetadata(id: $0.id, sex: $0.sex, subset: subset, minutes: minutes[$0.id] ?? 0, name: $0.name) }
        let speakersFile = root.appendingPathComponent("SPEAKERS.TXT")
        if let data = fm.contents(atPath: speakersFile.path) {
            let text = String(decoding: data, as: UTF8.self)
            let existing = SpeakerMetadata.parse(text, file: speakersFile.path).speakers
            let extra = rows.filter { existing[$0.id] == nil }
            if !extra.isEmpty {
                let body = SpeakerMetadata.format(extra).split(separator: "\n").filter { !$0.hasPrefix(";") }.joined(separator: "\n")
                try AtomicFile.write(text + (text.hasSuffix("\n") || text.isEmpty ? "" : "\n") + body + "\n", to: speakersFile)
            }
        } else {
            try AtomicFile.write(SpeakerMetadata.format(rows), to: speakersFile)
        }
    }

    /// Synthesises the demo corpus into `data.librispeech_path/data.subset` when that folder is
    /// missing and `data.demo_corpus` is set; otherwise does nothing. Returns true when it wrote one.
    @discardableResult
    public static func ensure(config: Phase0Config, progress: Bool = true) throws -> Bool {
        guard let demo = config.data.demoCorpus else { return false }
        let target = config.data.subsetURL
        if FileManager.default.fileExists(atPath: target.path) { return false }
        let corpus = DemoCorpus(speakers: demo.speakers, utterancesPerSpeaker: demo.utterances, seed: UInt64(demo.seed), subset: config.data.subset)
        if progress {
            printErr("synthesising the demo corpus (\(demo.speakers) speakers × \(demo.utterances) utterances, seed \(demo.seed)) into \(target.path)")
        }
        try corpus.write(to: URL(fileURLWithPath: config.data.librispeechPath), progress: progress)
        return true
    }
}
