import EngramCore

/// What to say and how: a timed sequence of source-filter targets plus the pitch accents and the
/// transcript, built from pseudo-words of (C)V(C) syllables.
struct UtterancePlan {
    /// A stretch of samples with constant targets; the synthesiser glides between them.
    struct Segment {
        var samples: Int
        /// Glottal-pulse amplitude.
        var voicing = 0.0
        /// Noise into the vocal-tract filter (aspiration, h).
        var aspiration = 0.0
        /// Noise into the frication band-pass.
        var frication = 0.0
        var fricationBand = (centre: 4000.0, bandwidth: 3000.0)
        /// Vocal-tract resonances F1–F4 and bandwidths, Hz (speaker-scaled).
        var formants = (500.0, 1500.0, 2500.0, 3500.0)
        var bandwidths = (80.0, 100.0, 150.0, 250.0)
    }

    /// A pitch accent: f0 raised by `height` (fraction) around `centre` (samples), Gaussian of `width`.
    struct Accent { var centre: Double; var width: Double; var height: Double }

    var segments: [Segment] = []
    var accents: [Accent] = []
    var words: [String] = []
    var totalSamples: Int { segments.reduce(0) { $0 + $1.samples } }

    var transcript: String { words.joined(separator: " ") }

    /// A plan of exactly `targetSamples` samples (silence pads the end) at `sampleRate` Hz.
    static func make(speaker: DemoSpeaker, targetSamples: Int, sampleRate: Int, rng: inout SplitMix64) -> UtterancePlan {
        var plan = UtterancePlan()
        let sr = Double(sampleRate)
        let trail = Int(rng.uniform(0.15, 0.35) * sr)
        plan.segments.append(Segment(samples: Int(rng.uniform(0.08, 0.25) * sr)))
        var used = plan.totalSamples
        while true {
            let (word, segs, accent) = makeWord(speaker: speaker, sr: sr, rng: &rng)
            let wordSamples = segs.reduce(0) { $0 + $1.samples }
            if used + wordSamples + trail > targetSamples && !plan.words.isEmpty { break }
            if used + wordSamples > targetSamples { break } // a target too short for any word: silence only
            plan.accents.append(Accent(centre: Double(used) + accent.offset, width: accent.width, height: accent.height * speaker.pitchRange))
            plan.words.append(word)
            plan.segments += segs
            used += wordSamples
            // Between words: usually a short gap, sometimes a pause.
            let gap = rng.nextDouble() < 0.22 ? Int(rng.uniform(0.12, 0.35) * sr) : ms(0, 30, sr, speaker, &rng)
            if used + gap + trail > targetSamples { break }
            plan.segments.append(Segment(samples: gap))
            used += gap
        }
        plan.segments.append(Segment(samples: max(0, targetSamples - used)))
        return plan
    }

    /// One pseudo-word of 1–3 syllables, its spelling, and the accent on its first vowel (offset in samples).
    static func makeWord(speaker: DemoSpeaker, sr: Double, rng: inout SplitMix64)
        -> (String, [Segment], (offset: Double, width: Double, height: Double)) {
        var segs = [Segment]()
        var spelling = ""
        var accent = (offset: 0.0, width: 0.08 * sr, height: 0.0)
        let nSyl = 1 + rng.nextInt(below: 3)
        let s = speaker.formantScale
        for syl in 0..<nSyl {
            let vowel = DemoPhone.vowels[rng.nextInt(below: DemoPhone.vowels.count)]
            let vf = (vowel.formants.0 * s, vowel.formants.1 * s, vowel.formants.2 * s, 3500 * s)
            if syl == 0 || rng.nextDouble() < 0.8 {
                let c = DemoPhone.consonants[rng.nextInt(below: DemoPhone.consonants.count)]
                segs += consonant(c, nextFormants: vf, speaker: speaker, sr: sr, rng: &rng)
                spelling += c.spelling
            }
            let stressed = syl == 0
            var v = Segment(samples: ms(70, 150, sr, speaker, &rng) * (stressed ? 13 : 10) / 10)
            v.voicing = vowel.intensity * (stressed ? 1.0 : 0.8)
            v.formants = vf
            v.bandwidths = (60, 90, 140, 220)
            if stressed {
                let start = Double(segs.reduce(0) { $0 + $1.samples })
                accent = (start + Double(v.samples) / 2, max(Double(v.samples), 0.06 * sr), rng.uniform(0.5, 1.0))
            }
            segs.append(v)
            spelling += vowel.spelling
            if rng.nextDouble() < 0.35 {
                let c = DemoPhone.codas[rng.nextInt(below: DemoPhone.codas.count)]
                segs += consonant(c, nextFormants: vf, speaker: speaker, sr: sr, rng: &rng)
                spelling += c.spelling
            }
        }
        return (spelling, segs, accent)
    }

    /// A duration drawn in [lo, hi) milliseconds, scaled by the speaker's rate, in samples.
    static func ms(_ lo: Double, _ hi: Double, _ sr: Double, _ speaker: DemoSpeaker, _ rng: inout SplitMix64) -> Int {
        Int(rng.uniform(lo, hi) / 1000 * sr / speaker.rate)
    }

    /// Segments of one consonant; `nextFormants` is the neighbouring vowel (coarticulation).
    static func consonant(_ c: DemoPhone, nextFormants vf: (Double, Double, Double, Double), speaker: DemoSpeaker,
                          sr: Double, rng: inout SplitMix64) -> [Segment] {
        let s = speaker.formantScale
        func ms(_ lo: Double, _ hi: Double) -> Int { UtterancePlan.ms(lo, hi, sr, speaker, &rng) }
        switch c {
        case .vowel:
            return []
        case .nasal(let n):
            var g = Segment(samples: ms(50, 85))
            g.voicing = 0.45
            g.formants = (n.formants.0 * s, n.formants.1 * s, n.formants.2 * s, 3300 * s)
            g.bandwidths = (100, 250, 300, 400)
            return [g]
        case .fricative(let f):
            var g = Segment(samples: ms(80, 130))
            g.formants = vf
            g.bandwidths = (200, 200, 250, 300)
            if let band = f.band {
                g.frication = f.amplitude
                g.fricationBand = (band.centre * (0.5 + 0.5 * s), band.bandwidth)
            } else {
                g.aspiration = f.amplitude
            }
            if f.voiced { g.voicing = 0.35 }
            return [g]
        case .plosive(let p):
            var closure = Segment(samples: ms(45, 75))
            closure.formants = (200 * s, vf.1, vf.2, vf.3)
            closure.voicing = p.voiced ? 0.06 : 0
            var burst = Segment(samples: ms(8, 14))
            burst.frication = 0.45
            burst.fricationBand = (p.burst.centre * (0.5 + 0.5 * s), p.burst.bandwidth)
            burst.formants = vf
            burst.voicing = p.voiced ? 0.1 : 0
            if p.voiced { return [closure, burst] }
            var asp = Segment(samples: ms(25, 45))
            asp.aspiration = 0.18
            asp.formants = vf
            asp.bandwidths = (200, 200, 250, 300)
            return [closure, burst, asp]
        }
    }
}
