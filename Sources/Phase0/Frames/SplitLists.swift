import Foundation
import EngramCore

/// The split files the frames step needs (SPEC §1): speaker lists and the utterance hold-out.
struct SplitLists {
    var trainSpeakers: Set<Int>
    var evalSpeakers: Set<Int>
    /// `train_utt_ids_val.txt` (empty when the file is absent and the hold-out is off).
    var trainUttVal: Set<String>

    static func read(dir: URL, needHoldout: Bool) throws -> SplitLists {
        func lines(_ name: String, required: Bool) throws -> [String] {
            let url = dir.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else {
                if required { throw EngramError(url.path, "split file missing (run `engram phase0 splits` first)") }
                return []
            }
            let text: String
            do { text = try String(contentsOf: url, encoding: .utf8) } catch {
                throw EngramError(url.path, "cannot read split file: \(error.localizedDescription)")
            }
            return text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        func ints(_ name: String) throws -> Set<Int> {
            var out = Set<Int>()
            for (i, s) in try lines(name, required: true).enumerated() {
                guard let v = Int(s) else {
                    throw EngramError(dir.appendingPathComponent(name).path + ":\(i + 1)", "expected an integer speaker id, got '\(s)'")
                }
                out.insert(v)
            }
            return out
        }
        let train = try ints("train_speakers.txt")
        let eval = try ints("eval_speakers.txt")
        if let both = train.intersection(eval).min() {
            throw EngramError(dir.path, "speaker \(both) is in both train_speakers.txt and eval_speakers.txt")
        }
        let val = Set(try lines("train_utt_ids_val.txt", required: needHoldout))
        return SplitLists(trainSpeakers: train, evalSpeakers: eval, trainUttVal: val)
    }
}
