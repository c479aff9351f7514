/// The phone inventory of the demo corpus: English-like vowels (formants of an adult male vocal
/// tract, Peterson & Barney 1952 averages), nasals, fricatives and plosives, each with the letters
/// used to spell it in the fake transcripts.
public enum DemoPhone: Sendable, Equatable {
    case vowel(Vowel)
    case nasal(Nasal)
    case fricative(Fricative)
    case plosive(Plosive)

    public struct Vowel: Sendable, Equatable {
        public var spelling: String
        /// F1, F2, F3 in Hz for a reference (adult male) vocal tract.
        public var formants: (Double, Double, Double)
        /// Relative loudness (open vowels are louder).
        public var intensity: Double
        public static func == (a: Vowel, b: Vowel) -> Bool { a.spelling == b.spelling }
    }

    public struct Nasal: Sendable, Equatable {
        public var spelling: String
        /// Nasal murmur resonances, Hz.
        public var formants: (Double, Double, Double)
        public static func == (a: Nasal, b: Nasal) -> Bool { a.spelling == b.spelling }
    }

    public struct Fricative: Sendable, Equatable {
        public var spelling: String
        /// Centre and bandwidth of the frication noise, Hz; nil = aspiration shaped by the vocal tract (h).
        public var band: (centre: Double, bandwidth: Double)?
        public var voiced: Bool
        public var amplitude: Double
        public static func == (a: Fricative, b: Fricative) -> Bool { a.spelling == b.spelling }
    }

    public struct Plosive: Sendable, Equatable {
        public var spelling: String
        /// Centre and bandwidth of the release burst, Hz.
        public var burst: (centre: Double, bandwidth: Double)
        public var voiced: Bool
        public static func == (a: Plosive, b: Plosive) -> Bool { a.spelling == b.spelling }
    }

    public var spelling: String {
        switch self {
        case .vowel(let v): return v.spelling
        case .nasal(let n): return n.spelling
        case .fricative(let f): return f.spelling
        case .plosive(let p): return p.spelling
        }
    }

    public static let vowels: [Vowel] = [
        Vowel(spelling: "EE", formants: (270, 2290, 3010), intensity: 0.80),
        Vowel(spelling: "I", formants: (390, 1990, 2550), intensity: 0.85),
        Vowel(spelling: "E", formants: (530, 1840, 2480), intensity: 0.90),
        Vowel(spelling: "A", formants: (660, 1720, 2410), intensity: 1.00),
        Vowel(spelling: "O", formants: (730, 1090, 2440), intensity: 1.00),
        Vowel(spelling: "AW", formants: (570, 840, 2410), intensity: 0.95),
        Vowel(spelling: "OO", formants: (440, 1020, 2240), intensity: 0.85),
        Vowel(spelling: "U", formants: (300, 870, 2240), intensity: 0.80),
        Vowel(spelling: "UH", formants: (640, 1190, 2390), intensity: 0.95),
        Vowel(spelling: "ER", formants: (490, 1350, 1690), intensity: 0.90),
    ]

    public static let consonants: [DemoPhone] = [
        .nasal(Nasal(spelling: "M", formants: (250, 1100, 2300))),
        .nasal(Nasal(spelling: "N", formants: (250, 1450, 2500))),
        .fricative(Fricative(spelling: "S", band: (5200, 2200), voiced: false, amplitude: 0.35)),
        .fricative(Fricative(spelling: "SH", band: (2900, 1400), voiced: false, amplitude: 0.40)),
        .fricative(Fricative(spelling: "F", band: (4200, 5000), voiced: false, amplitude: 0.12)),
        .fricative(Fricative(spelling: "H", band: nil, voiced: false, amplitude: 0.25)),
        .fricative(Fricative(spelling: "Z", band: (5000, 2400), voiced: true, amplitude: 0.22)),
        .fricative(Fricative(spelling: "V", band: (3800, 5000), voiced: true, amplitude: 0.08)),
        .plosive(Plosive(spelling: "P", burst: (900, 1200), voiced: false)),
        .plosive(Plosive(spelling: "T", burst: (4300, 3000), voiced: false)),
        .plosive(Plosive(spelling: "K", burst: (2100, 1200), voiced: false)),
        .plosive(Plosive(spelling: "B", burst: (800, 1200), voiced: true)),
        .plosive(Plosive(spelling: "D", burst: (3800, 3000), voiced: true)),
        .plosive(Plosive(spelling: "G", burst: (1900, 1200), voiced: true)),
    ]

    /// Consonants allowed at the end of a syllable.
    public static let codas: [DemoPhone] = consonants.filter { ["M", "N", "S", "T", "K", "D", "Z", "F"].contains($0.spelling) }
}
