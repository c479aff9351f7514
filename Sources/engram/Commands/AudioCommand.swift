import ArgumentParser
import AudioIO
import EngramCore
import Foundation

/// `engram audio …`
struct AudioCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audio", abstract: "Audio utilities.",
                                                    subcommands: [AudioDecodeCommand.self])
}

/// `engram audio decode IN --out OUT.wav [--rate R] [--mono] [--format …]`
struct AudioDecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode a FLAC/WAV file to WAV, optionally resampled (torchaudio-equivalent sinc resampler).")

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case auto, pcm16, pcm24, float32
    }

    @Argument(help: "Input FLAC or WAV file (format detected from its signature).")
    var input: String

    @Option(name: .long, help: "Output WAV file.")
    var out: String

    @Option(name: .long, help: "Resample to this rate in Hz (as torchaudio.transforms.Resample with defaults).")
    var rate: Int?

    @Flag(name: .long, help: "Average the channels to mono.")
    var mono = false

    @Option(name: .long, help: "Output samples: auto (integer input stays integer at its bit depth; resampled or float input becomes float32), pcm16, pcm24, float32.")
    var format: OutputFormat = .auto

    @Flag(name: .long, help: "Check the FLAC STREAMINFO MD5 of the decoded samples.")
    var verifyMD5 = false

    func validate() throws {
        if let r = rate, !(1...1_000_000).contains(r) { throw ValidationError("--rate must be in 1...1000000 Hz") }
    }

    func run() throws {
        try reportingErrors {
            let inURL = URL(fileURLWithPath: input), outURL = URL(fileURLWithPath: out)
            let decoded = try AudioFile.read(contentsOf: inURL, verifyMD5: verifyMD5)
            let result = Self.convert(decoded, rate: rate, mono: mono)
            let written: String
            switch (result, format) {
            case (.pcm(let a), .auto):
                try WAVFile.write(a, to: outURL); written = "\(a.bitsPerSample)-bit PCM"
            case (_, .pcm16), (_, .pcm24):
                let bits = format == .pcm16 ? 16 : 24
                if case .pcm(let a) = result, a.bitsPerSample == bits {
                    try WAVFile.write(a, to: outURL)
                } else {
                    try WAVFile.write(result.floatAudio, to: outURL, format: .int(bits: bits))
                }
                written = "\(bits)-bit PCM"
            default:
                try WAVFile.write(result.floatAudio, to: outURL, format: .float32); written = "float32"
            }
            let inDesc: String
            switch decoded {
            case .pcm(let a): inDesc = "\(a.sampleRate) Hz, \(a.channelCount) ch, \(a.bitsPerSample)-bit, \(a.frameCount) samples"
            case .float(let a): inDesc = "\(a.sampleRate) Hz, \(a.channelCount) ch, float, \(a.frameCount) samples"
            }
            let frames: Int
            switch result { case .pcm(let a): frames = a.frameCount; case .float(let a): frames = a.frameCount }
            print("\(input): \(inDesc) -> \(out): \(result.sampleRate) Hz, \(result.channelCount) ch, \(written), \(frames) samples")
        }
    }

    /// Applies the optional downmix and resampling. Integer audio stays integer unless resampled.
    static func convert(_ audio: DecodedAudio, rate: Int?, mono: Bool) -> DecodedAudio {
        var a = audio
        let needsResample = rate.map { $0 != a.sampleRate } ?? false
        if mono && a.channelCount > 1 || needsResample {
            var f = a.floatAudio
            if mono && f.channelCount > 1 { f = FloatAudio(channels: [f.mono()], sampleRate: f.sampleRate) }
            if let r = rate, needsResample {
                let resampler = Resampler(fromRate: f.sampleRate, toRate: r)
                f = FloatAudio(channels: f.channels.map { resampler.resample($0) }, sampleRate: r)
            }
            a = .float(f)
        }
        return a
    }
}
