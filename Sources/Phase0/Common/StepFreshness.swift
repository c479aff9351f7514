import Foundation
import EngramCore

/// Whether a pipeline step can be skipped: every output exists and is at least as new as every
/// input that exists (config file, tables, stores). A missing input never makes a step "fresh".
public enum StepFreshness {
    /// Modification time of a file or folder, nil when it does not exist.
    public static func modified(_ url: URL) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date
    }

    /// True when all `outputs` exist, all `inputs` exist, and the oldest output is not older than
    /// the newest input.
    public static func isUpToDate(outputs: [URL], inputs: [URL]) -> Bool {
        let outTimes = outputs.map(modified)
        let inTimes = inputs.map(modified)
        guard !outputs.isEmpty, outTimes.allSatisfy({ $0 != nil }), inTimes.allSatisfy({ $0 != nil }) else { return false }
        let oldestOut = outTimes.compactMap { $0 }.min()!
        guard let newestIn = inTimes.compactMap({ $0 }).max() else { return true }
        return oldestOut >= newestIn
    }

    /// The config file as an input (nothing for built-in defaults).
    public static func configInputs(_ config: Phase0Config) -> [URL] {
        config.sourceFile.isEmpty ? [] : [URL(fileURLWithPath: config.sourceFile)]
    }
}
