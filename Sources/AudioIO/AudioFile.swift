import Foundation
import EngramCore

/// Reads FLAC or WAV, chosen by the file's signature (not its extension).
public enum AudioFile {
    public static func read(contentsOf url: URL, verifyMD5: Bool = false) throws -> DecodedAudio {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw EngramError(url.path, "cannot read file: \(error.localizedDescription)")
        }
        let head = [UInt8](data.prefix(12))
        if head.starts(with: Array("fLaC".utf8)) || head.starts(with: Array("ID3".utf8)) {
            return .pcm(try FLACDecoder(verifyMD5: verifyMD5).decode(data: data, path: url.path))
        }
        if head.starts(with: Array("RIFF".utf8)) {
            return try WAVFile.read(data: data, path: url.path)
        }
        throw EngramError(url.path, "unrecognised audio format (expected FLAC \"fLaC\" or WAV \"RIFF\" signature) at byte offset 0")
    }
}
