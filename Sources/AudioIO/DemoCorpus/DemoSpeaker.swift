import EngramCore

/// A synthetic speaker: the source-filter parameters that make voices differ.
public struct DemoSpeaker: Sendable, Equatable {
    public var id: Int
    /// "M" or "F".
    public var sex: String
    public var name: String
    /// Mean fundamental frequency, Hz.
    public var f0: Double
    /// Pitch-accent excursion as a fraction of f0.
    public var pitchRange: Double
    /// Vocal-tract length factor: formant frequencies are multiplied by this (shorter tract → higher).
    public var formantScale: Double
    /// Speaking rate: phone durations are divided by this.
    public var rate: Double
    /// Cycle-to-cycle period perturbation (fraction of the period, standard deviation).
    public var jitter: Double
    /// Cycle-to-cycle amplitude perturbation (fraction).
    public var shimmer: Double
    /// Open quotient of the glottal pulse (larger = breathier, weaker harmonics).
    public var openQuotient: Double
    /// Aspiration noise mixed into voicing, relative to the pulse.
    public var breathiness: Double
    /// Overall level, relative.
    public var loudness: Double

    /// Draws a speaker; sexes alternate by `index` so any count is balanced.
    public static func draw(id: Int, index: Int, rng: inout SplitMix64) -> DemoSpeaker {
        let female = index % 2 == 1
        let syllables = ["ka", "ri", "mo", "ta", "len", "sa", "vi", "do", "ne", "lu", "ber", "to", "an", "mi", "ro", "gal", "se", "fin"]
        func word(_ n: Int) -> String {
            let s = (0..<n).map { _ in syllables[rng.nextInt(below: syllables.count)] }.joined()
            return s.prefix(1).uppercased() + s.dropFirst()
        }
        let name = "\(word(2)) \(word(2 + rng.nextInt(below: 2)))"
        return DemoSpeaker(
            id: id, sex: female ? "F" : "M", name: name,
            f0: female ? rng.uniform(165, 245) : rng.uniform(88, 145),
            pitchRange: rng.uniform(0.08, 0.30),
            formantScale: (female ? 1.16 : 1.0) * rng.uniform(0.93, 1.07),
            rate: rng.uniform(0.80, 1.25),
            jitter: rng.uniform(0.004, 0.015),
            shimmer: rng.uniform(0.02, 0.06),
            openQuotient: rng.uniform(0.45, 0.72),
            breathiness: rng.uniform(0.01, 0.08),
            loudness: rng.uniform(0.55, 0.85))
    }
}
