import Foundation
import Yams

/// Walks a YAML mapping with its key path, checking types and rejecting unknown keys.
/// Every error names the file, the dotted key (with the YAML line) and what was expected.
public struct ConfigReader {
    public let file: String
    public let path: String
    let node: Node?
    let mapping: Node.Mapping?

    init(file: String, path: String, node: Node?) throws {
        self.file = file
        self.path = path
        self.node = node
        if let node, node.null == nil {
            guard let m = node.mapping else {
                throw EngramError(file, "key '\(path)'\(ConfigReader.line(node)): expected a mapping of keys, got \(ConfigReader.describe(node))")
            }
            self.mapping = m
        } else {
            self.mapping = nil
        }
    }

    /// Reads the YAML text of `file` as the top-level mapping.
    public static func load(file: String) throws -> ConfigReader {
        let text: String
        do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
            throw EngramError(file, "cannot read config file (\(error.localizedDescription))")
        }
        return try parse(text, file: file)
    }

    public static func parse(_ text: String, file: String) throws -> ConfigReader {
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch {
            throw EngramError(file, "invalid YAML: \(error)")
        }
        guard let node else { throw EngramError(file, "config is empty") }
        return try ConfigReader(file: file, path: "", node: node)
    }

    static func line(_ n: Node?) -> String {
        guard let m = n?.mark else { return "" }
        return " (line \(m.line))"
    }

    static func describe(_ n: Node) -> String {
        switch n {
        case .scalar(let s): return "'\(s.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    func key(_ k: String) -> String { path.isEmpty ? k : "\(path).\(k)" }

    /// Fails when the mapping holds keys outside `allowed`.
    public func checkKeys(_ allowed: [String]) throws {
        guard let mapping else { return }
        for (k, _) in mapping {
            let name = k.string ?? "?"
            if !allowed.contains(name) {
                throw EngramError(file, "unknown key '\(key(name))'\(ConfigReader.line(k)); expected one of: \(allowed.joined(separator: ", "))")
            }
        }
    }

    func raw(_ k: String) -> Node? {
        guard let v = mapping?[Node(k)] else { return nil }
        return v.null != nil ? nil : v
    }

    /// True when the key is present with a non-null value.
    public func has(_ k: String) -> Bool { raw(k) != nil }

    public func section(_ k: String) throws -> ConfigReader {
        try ConfigReader(file: file, path: key(k), node: raw(k))
    }

    func fail(_ k: String, _ n: Node?, _ expected: String) -> EngramError {
        let got = n.map { ConfigReader.describe($0) } ?? "nothing"
        return EngramError(file, "key '\(key(k))'\(ConfigReader.line(n)): expected \(expected), got \(got)")
    }

    /// Integer value, optionally bounded. `def` is used when the key is absent.
    public func int(_ k: String, default def: Int? = nil, min: Int? = nil, max: Int? = nil) throws -> Int {
        guard let n = raw(k) else {
            if let def { return def }
            throw EngramError(file, "missing key '\(key(k))': expected an integer")
        }
        guard n.scalar != nil, let v = n.int, n.bool == nil else { throw fail(k, n, "an integer") }
        if let min, v < min { throw fail(k, n, "an integer ≥ \(min)") }
        if let max, v > max { throw fail(k, n, "an integer ≤ \(max)") }
        return v
    }

    public func double(_ k: String, default def: Double? = nil, min: Double? = nil, max: Double? = nil) throws -> Double {
        guard let n = raw(k) else {
            if let def { return def }
            throw EngramError(file, "missing key '\(key(k))': expected a number")
        }
        guard n.scalar != nil, let v = n.float ?? n.int.map(Double.init), n.bool == nil, v.isFinite else { throw fail(k, n, "a number") }
        if let min, v < min { throw fail(k, n, "a number ≥ \(min)") }
        if let max, v > max { throw fail(k, n, "a number ≤ \(max)") }
        return v
    }

    public func bool(_ k: String, default def: Bool? = nil) throws -> Bool {
        guard let n = raw(k) else {
            if let def { return def }
            throw EngramError(file, "missing key '\(key(k))': expected true or false")
        }
        guard let v = n.bool else { throw fail(k, n, "true or false") }
        return v
    }

    public func string(_ k: String, default def: String? = nil) throws -> String {
        guard let n = raw(k) else {
            if let def { return def }
            throw EngramError(file, "missing key '\(key(k))': expected a string")
        }
        guard let s = n.scalar else { throw fail(k, n, "a string") }
        return s.string
    }

    public func optionalString(_ k: String) throws -> String? {
        has(k) ? try string(k) : nil
    }

    /// One of `choices`.
    public func choice(_ k: String, _ choices: [String], default def: String? = nil) throws -> String {
        let v = try string(k, default: def)
        guard choices.contains(v) else { throw fail(k, raw(k), "one of \(choices.joined(separator: " | "))") }
        return v
    }

    /// A list of integers; `allowEmpty` accepts `[]`.
    public func intList(_ k: String, default def: [Int]? = nil, min: Int? = nil, allowEmpty: Bool = false) throws -> [Int] {
        guard let n = raw(k) else {
            if let def { return def }
            throw EngramError(file, "missing key '\(key(k))': expected a list of integers")
        }
        guard let seq = n.sequence, allowEmpty || !seq.isEmpty else {
            throw fail(k, n, allowEmpty ? "a list of integers" : "a non-empty list of integers")
        }
        return try seq.map { item in
            guard let v = item.int, item.bool == nil else { throw fail(k, item, "a list of integers") }
            if let min, v < min { throw fail(k, item, "integers ≥ \(min)") }
            return v
        }
    }

    /// Each item of a list of mappings, as a reader with path `key[i]`.
    public func list(_ k: String) throws -> [ConfigReader] {
        guard let n = raw(k) else { return [] }
        guard let seq = n.sequence else { throw fail(k, n, "a list") }
        return try seq.enumerated().map { i, item in try ConfigReader(file: file, path: "\(key(k))[\(i)]", node: item) }
    }

    /// An error about this section's key `k` with a free-form reason.
    public func error(_ k: String, _ reason: String) -> EngramError {
        EngramError(file, "key '\(key(k))'\(ConfigReader.line(raw(k))): \(reason)")
    }
}
