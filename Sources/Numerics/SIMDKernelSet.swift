import EngramCore
import Foundation
#if canImport(Darwin)
import Darwin
#endif

/// A build of the hot SIMD kernels (GEMM micro-kernels, the Mimi convolution GEMM) for one class of
/// CPU. The same kernel sources are compiled into three modules — `SIMDKernels` (the package's
/// target CPU: baseline x86-64 by default, SSE2, no FMA), `SIMDKernelsAVX2` (`-target-cpu haswell`:
/// AVX2 + FMA) and `SIMDKernelsAVX512` (`-target-cpu skylake-avx512`: AVX-512 F/CD/BW/DQ/VL) —
/// and the process picks one at run time (`active`), so the default `swift build` runs anywhere
/// and still uses the fast kernels where the CPU has them.
///
/// Results are deterministic for a given kernel set (independent of thread count) but differ in
/// the last bits between sets (fused vs separate multiply-add, panel width).
public enum SIMDKernelSet: String, CaseIterable, Sendable, CustomStringConvertible {
    case baseline, avx2, avx512

    /// The kernel set used by default in this process, chosen once: `ENGRAM_KERNELS` if set
    /// (baseline | avx2 | avx512), else the best set the CPU supports. Never depends on timing.
    /// Requesting a set the CPU lacks stops the process with a message saying which features are
    /// missing (`engram` reports it as an error before any work; see `validateEnvironment`).
    public static let active: SIMDKernelSet = {
        switch selection {
        case .success(let s): return s.set
        case .failure(let e): fatalError(e.description)
        }
    }()

    /// How `active` was chosen, e.g. "chosen from /proc/cpuinfo" or "forced by ENGRAM_KERNELS".
    public static var activeReason: String {
        if case .success(let s) = selection { return s.reason }
        return "invalid ENGRAM_KERNELS"
    }

    /// One line for reports, e.g. "kernels: avx2 (6×16 FMA), chosen from /proc/cpuinfo; supported: baseline avx2".
    /// Never stops the process (an invalid ENGRAM_KERNELS is described instead).
    public static var activeSummary: String {
        switch selection {
        case .success(let s):
            return "kernels: \(s.set), \(s.reason); supported: \(supported.map(\.rawValue).joined(separator: " "))"
        case .failure(let e):
            return "kernels: \(e.description)"
        }
    }

    /// Throws a clear error if `ENGRAM_KERNELS` names an unknown set or one this CPU cannot run.
    public static func validateEnvironment() throws {
        if case .failure(let e) = selection { throw e }
    }

    /// The sets this CPU can run, best last (baseline always).
    public static var supported: [SIMDKernelSet] { allCases.filter { $0.isSupported } }

    /// Whether this CPU (and OS) can run the set. On arm64 only `baseline` (which has NEON + FMA).
    public var isSupported: Bool { missingFeatures(CPUFeatures.current).isEmpty }

    /// Why this CPU cannot run the set, e.g. "this CPU lacks avx512f, avx512bw (/proc/cpuinfo)"; nil if it can.
    public var unsupportedReason: String? {
        let missing = missingFeatures(CPUFeatures.current)
        return missing.isEmpty ? nil : "this CPU lacks \(missing.joined(separator: ", ")) (\(CPUFeatures.current.source))"
    }

    /// Micro-kernel shape, e.g. "6×16 FMA" (Numerics GEMM tile; the Mimi GEMM uses 6×16 panels for all sets).
    public var description: String {
        let nr = gemmPanelWidth
        let fma = gemmUsesFMA ? "FMA" : "mul+add, no FMA"
        return "\(rawValue) (6×\(nr) \(fma))"
    }

    /// CPU features the set needs that `features` lacks (empty if it can run).
    func missingFeatures(_ features: CPUFeatures) -> [String] {
        #if arch(x86_64)
        let needed: [String]
        switch self {
        case .baseline: needed = []
        case .avx2: needed = CPUFeatures.avx2Set
        case .avx512: needed = CPUFeatures.avx512Set
        }
        return needed.filter { !features.flags.contains($0) }
        #else
        return self == .baseline ? [] : ["x86-64 (\(self.rawValue) kernels are x86 only)"]
        #endif
    }

    private struct Choice { let set: SIMDKernelSet; let reason: String }

    private static let selection: Result<Choice, EngramError> = {
        let cpu = CPUFeatures.current
        let env = ProcessInfo.processInfo.environment["ENGRAM_KERNELS"]?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        if !env.isEmpty {
            guard let s = SIMDKernelSet(rawValue: env) else {
                return .failure(EngramError("ENGRAM_KERNELS", "unknown kernel set '\(env)'; use baseline, avx2 or avx512"))
            }
            let missing = s.missingFeatures(cpu)
            guard missing.isEmpty else {
                return .failure(EngramError("ENGRAM_KERNELS", "\(env) kernels requested but this CPU lacks \(missing.joined(separator: ", ")) (\(cpu.source)); supported: \(allCases.filter { $0.missingFeatures(cpu).isEmpty }.map(\.rawValue).joined(separator: ", "))"))
            }
            return .success(Choice(set: s, reason: "forced by ENGRAM_KERNELS"))
        }
        let best = allCases.last { $0.missingFeatures(cpu).isEmpty } ?? .baseline
        return .success(Choice(set: best, reason: "chosen from \(cpu.source)"))
    }()
}

/// CPU feature flags as reported by the OS (Linux: the `flags` line of /proc/cpuinfo, which lists
/// only features the kernel enabled, so OS support for the wider registers is implied; macOS:
/// `sysctl hw.optional.*`). Names follow /proc/cpuinfo: avx2, fma, avx512f, avx512cd, ….
struct CPUFeatures: Sendable {
    var flags: Set<String>
    var source: String

    static let avx2Set = ["avx2", "fma"]
    static let avx512Set = ["avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]

    static let current: CPUFeatures = detect()

    static func detect() -> CPUFeatures {
        #if arch(x86_64)
        #if os(Linux)
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else {
            return CPUFeatures(flags: [], source: "/proc/cpuinfo unreadable, so baseline")
        }
        return parse(cpuinfo: text)
        #elseif canImport(Darwin)
        var flags: Set<String> = []
        let names = ["avx2": "hw.optional.avx2_0", "fma": "hw.optional.fma", "avx512f": "hw.optional.avx512f",
                     "avx512cd": "hw.optional.avx512cd", "avx512bw": "hw.optional.avx512bw",
                     "avx512dq": "hw.optional.avx512dq", "avx512vl": "hw.optional.avx512vl"]
        for (flag, key) in names {
            var value: Int32 = 0
            var size = MemoryLayout<Int32>.size
            if sysctlbyname(key, &value, &size, nil, 0) == 0 && value != 0 { flags.insert(flag) }
        }
        return CPUFeatures(flags: flags, source: "sysctl hw.optional")
        #else
        return CPUFeatures(flags: [], source: "no feature detection on this OS, so baseline")
        #endif
        #else
        return CPUFeatures(flags: [], source: "arm64 (NEON + FMA baseline)")
        #endif
    }

    /// The first `flags` line of /proc/cpuinfo (all cores report the same features).
    static func parse(cpuinfo text: String) -> CPUFeatures {
        for line in text.split(separator: "\n") where line.hasPrefix("flags") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let flags = Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
            return CPUFeatures(flags: flags, source: "/proc/cpuinfo")
        }
        return CPUFeatures(flags: [], source: "/proc/cpuinfo has no flags line, so baseline")
    }
}
