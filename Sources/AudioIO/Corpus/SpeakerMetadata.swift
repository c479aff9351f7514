import Foundation

/// One row of LibriSpeech's `SPEAKERS.TXT`: `ID | SEX | SUBSET | MINUTES | NAME`.
public struct SpeakerMetadata: Equatable, Sendable {
    public var id: Int
    /// "M" or "F" as written in the file.
    public var sex: String
    /// The subset the speaker's audio belongs to, e.g. "train-clean-100".
    public var subset: String
    /// Minutes of audio for the speaker in that subset.
    public var minutes: Double
    public var name: String

    public init(id: Int, sex: String, subset: String, minutes: Double, name: String) {
        self.id = id; self.sex = sex; self.subset = subset; self.minutes = minutes; self.name = name
    }

    /// Parses `SPEAKERS.TXT` text: `;` starts a comment line, fields are separated by `|` and
    /// trimmed; the name is everything after the fourth `|` (some names contain `|`).
    /// Malformed lines and repeated ids become issues located at `file:line`.
    public static func parse(_ text: String, file: String) -> (speakers: [Int: SpeakerMetadata], issues: [CorpusIssue]) {
        var out = [Int: SpeakerMetadata]()
        var issues = [CorpusIssue]()
        var lineNo = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNo += 1
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix(";") { continue }
            let f = line.split(separator: "|", maxSplits: 4, omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            let loc = "\(file):\(lineNo)"
            guard f.count == 5 else {
                issues.append(CorpusIssue(loc, "expected 5 '|'-separated fields (ID | SEX | SUBSET | MINUTES | NAME), got \(f.count)"))
                continue
            }
            guard let id = Int(f[0]), id >= 0 else {
                issues.append(CorpusIssue(loc, "speaker id '\(f[0])' is not a non-negative integer")); continue
            }
            guard let minutes = Double(f[3]), minutes.isFinite, minutes >= 0 else {
                issues.append(CorpusIssue(loc, "minutes '\(f[3])' is not a non-negative number")); continue
            }
            if out[id] != nil {
                issues.append(CorpusIssue(loc, "speaker \(id) is listed twice")); continue
            }
            out[id] = SpeakerMetadata(id: id, sex: f[1], subset: f[2], minutes: minutes, name: f[4])
        }
        return (out, issues)
    }

    /// `SPEAKERS.TXT` text for `rows` (sorted by id), in LibriSpeech's column layout.
    public static func format(_ rows: [SpeakerMetadata]) -> String {
        var s = "; Speaker metadata (written by EngramAudio)\n;ID  |SEX| SUBSET           |MINUTES| NAME\n"
        for r in rows.sorted(by: { $0.id < $1.id }) {
            let id = String(r.id).padding(toLength: 5, withPad: " ", startingAt: 0)
            let sub = r.subset.padding(toLength: max(17, r.subset.count), withPad: " ", startingAt: 0)
            s += "\(id)| \(r.sex) | \(sub)| \(String(format: "%5.2f", r.minutes)) | \(r.name)\n"
        }
        return s
    }
}
