import Foundation

/// A chapter's transcript file `<speaker>-<chapter>.trans.txt`: one line per utterance,
/// `<utterance-id> <TEXT>` (upper-case words separated by single spaces).
public enum TranscriptFile {
    /// File name for a chapter.
    public static func name(speaker: Int, chapter: Int) -> String { "\(speaker)-\(chapter).trans.txt" }

    /// Parses transcript text into id → text. Lines without text, or with ids outside
    /// `<speaker>-<chapter>-`, or repeated ids, become issues at `file:line`.
    public static func parse(_ text: String, file: String, speaker: Int, chapter: Int) -> (texts: [String: String], issues: [CorpusIssue]) {
        var out = [String: String]()
        var issues = [CorpusIssue]()
        let prefix = "\(speaker)-\(chapter)-"
        var lineNo = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNo += 1
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty { continue }
            let loc = "\(file):\(lineNo)"
            let parts = line.split(separator: " ", maxSplits: 1)
            let id = String(parts[0])
            guard id.hasPrefix(prefix), LibriSpeechName.parse(id) != nil else {
                issues.append(CorpusIssue(loc, "utterance id '\(id)' does not belong to speaker \(speaker) chapter \(chapter) (expected \(prefix)NNNN)"))
                continue
            }
            if out[id] != nil { issues.append(CorpusIssue(loc, "utterance \(id) is listed twice")); continue }
            out[id] = parts.count > 1 ? String(parts[1]).trimmingCharacters(in: .whitespaces) : ""
        }
        return (out, issues)
    }
}

/// LibriSpeech names: numeric folder names and `<speaker>-<chapter>-<utterance>` ids.
enum LibriSpeechName {
    /// A non-empty all-ASCII-digit name as an integer (as the research pipeline's `isdigit()` + `int()`).
    static func number(_ s: String) -> Int? {
        guard !s.isEmpty, s.utf8.count <= 18, s.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(s)
    }

    /// (speaker, chapter, utterance) parsed from `S-C-U`, all numeric.
    static func parse(_ id: String) -> (speaker: Int, chapter: Int, utterance: Int)? {
        let p = id.split(separator: "-", omittingEmptySubsequences: false)
        guard p.count == 3, let s = number(String(p[0])), let c = number(String(p[1])), let u = number(String(p[2])) else { return nil }
        return (s, c, u)
    }
}
