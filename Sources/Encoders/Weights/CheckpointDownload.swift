import EngramCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Downloads a file over HTTP(S) into `destination` with resume and SHA-256 verification:
/// bytes go to `destination.part`; an interrupted transfer continues from the part's size with
/// a `Range: bytes=N-` request (a server answering 200 instead of 206 restarts it from zero);
/// the file is renamed into place only when its SHA-256 matches.
public struct CheckpointDownload {
    public var url: URL
    public var destination: URL
    /// Expected lowercase hex SHA-256. When nil, the server's `X-Linked-Etag` (Hugging Face's LFS
    /// object id, which is the file's SHA-256) is used; without either the download is refused.
    public var sha256: String?
    /// Attempts (each resuming) before giving up.
    public var attempts = 5
    /// Progress lines on stderr.
    public var progress: ((_ done: Int64, _ total: Int64?) -> Void)? = nil

    public init(url: URL, destination: URL, sha256: String? = nil) {
        self.url = url
        self.destination = destination
        self.sha256 = sha256?.lowercased()
    }

    public var partURL: URL { destination.appendingPathExtension("part") }

    /// Result of a completed download.
    public struct Outcome: Sendable {
        public var sha256: String
        public var bytes: Int64
        /// Bytes that were already on disk from an earlier, interrupted run.
        public var resumedFrom: Int64
        public var requests: Int
    }

    /// Runs the transfer (blocking). Throws `EngramError` naming the URL or the file.
    @discardableResult
    public func run() throws -> Outcome {
        if let s = sha256, !Self.isHexDigest(s) {
            throw EngramError("--sha256", "expected 64 hex digits, got '\(s)'")
        }
        let fm = FileManager.default
        try? fm.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        let part = partURL
        if !fm.fileExists(atPath: part.path) { fm.createFile(atPath: part.path, contents: nil) }
        let initial = (try? fm.attributesOfItem(atPath: part.path)[.size] as? NSNumber)?.int64Value ?? 0
        var expected = sha256
        var lastError: Error? = nil
        var requests = 0
        var complete = false
        for _ in 0..<max(1, attempts) {
            let have = (try? fm.attributesOfItem(atPath: part.path)[.size] as? NSNumber)?.int64Value ?? 0
            requests += 1
            do {
                let r = try HTTPRangeTransfer(url: url, file: part, offset: have, progress: progress).run()
                if expected == nil, let tag = r.linkedETag, Self.isHexDigest(tag) { expected = tag }
                complete = true
                break
            } catch let e as HTTPRangeTransfer.Failure {
                lastError = e
                if !e.retryable { break }
            }
        }
        guard complete else {
            let msg = (lastError as? HTTPRangeTransfer.Failure)?.message ?? "\(String(describing: lastError))"
            throw EngramError(url.absoluteString, "download failed after \(requests) request(s): \(msg); the partial file \(part.path) is kept and the next run resumes it")
        }
        guard let want = expected else {
            throw EngramError(url.absoluteString, "no expected SHA-256: the server sent no X-Linked-Etag digest; pass --sha256 HEX (the downloaded bytes are in \(part.path))")
        }
        let (got, size) = try Self.fileSHA256(part)
        guard got == want else {
            try? fm.removeItem(at: part)
            throw EngramError(destination.path, "SHA-256 mismatch: got \(got), expected \(want); the download was deleted")
        }
        if fm.fileExists(atPath: destination.path) { try? fm.removeItem(at: destination) }
        if rename(part.path, destination.path) != 0 {
            throw EngramError(destination.path, "cannot rename \(part.lastPathComponent) into place (\(String(cString: strerror(errno))))")
        }
        return Outcome(sha256: got, bytes: size, resumedFrom: initial, requests: requests)
    }

    static func isHexDigest(_ s: String) -> Bool { s.count == 64 && s.allSatisfy { $0.isHexDigit } }

    /// SHA-256 and size of a file, read in 4 MB blocks.
    public static func fileSHA256(_ url: URL) throws -> (String, Int64) {
        guard let h = FileHandle(forReadingAtPath: url.path) else { throw EngramError(url.path, "cannot open for reading") }
        defer { try? h.close() }
        var sha = SHA256()
        var size: Int64 = 0
        while true {
            let d = try h.read(upToCount: 4 << 20) ?? Data()
            if d.isEmpty { break }
            size += Int64(d.count)
            d.withUnsafeBytes { sha.update($0) }
        }
        return (sha.finalizeHex(), size)
    }
}

/// One HTTP GET appending the response body to a file, from byte `offset` (Range request when > 0).
/// Also used by the LibriSpeech download (Phase0).
public final class HTTPRangeTransfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    public struct Failure: Error { public var message: String; public var retryable: Bool }
    public struct Result { public var linkedETag: String? }

    let url: URL, file: URL, offset: Int64
    let progress: ((Int64, Int64?) -> Void)?
    private var handle: FileHandle?
    private var failure: Failure?
    private var written: Int64 = 0
    private var total: Int64?
    private var linkedETag: String?
    private var alreadyComplete = false
    private var redirectETag: String?
    private let done = DispatchSemaphore(value: 0)

    public init(url: URL, file: URL, offset: Int64, progress: ((Int64, Int64?) -> Void)?) {
        self.url = url; self.file = file; self.offset = offset; self.progress = progress
    }

    public func run() throws -> Result {
        var req = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: 60)
        if offset > 0 { req.setValue("bytes=\(offset)-", forHTTPHeaderField: "Range") }
        req.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        let session = URLSession(configuration: .ephemeral, delegate: self, delegateQueue: nil)
        session.dataTask(with: req).resume()
        done.wait()
        session.finishTasksAndInvalidate()
        try? handle?.close()
        if let f = failure { throw f }
        return Result(linkedETag: linkedETag)
    }

    public func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        guard let http = response as? HTTPURLResponse else {
            failure = Failure(message: "not an HTTP response", retryable: false)
            completionHandler(.cancel); return
        }
        let headers = http.allHeaderFields.reduce(into: [String: String]()) { d, kv in
            d[String(describing: kv.key).lowercased()] = String(describing: kv.value)
        }
        linkedETag = (headers["x-linked-etag"] ?? redirectETag ?? headers["etag"]).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"W/ ")).lowercased() }
        var start: Int64 = 0
        switch http.statusCode {
        case 206:
            // Content-Range: bytes a-b/total — must continue exactly where the part file ends.
            let cr = headers["content-range"] ?? ""
            guard let a = Self.rangeStart(cr), a == offset else {
                failure = Failure(message: "server resumed at '\(cr)', expected byte \(offset)", retryable: false)
                completionHandler(.cancel); return
            }
            start = offset
            if let t = cr.split(separator: "/").last, let tv = Int64(t) { total = tv }
        case 200:
            start = 0          // no range support: start over
            if http.expectedContentLength > 0 { total = http.expectedContentLength }
        case 416 where offset > 0:
            // Nothing left past the part's end: it already holds the whole file (the digest decides).
            alreadyComplete = true
            completionHandler(.cancel); return
        default:
            failure = Failure(message: "HTTP \(http.statusCode)", retryable: http.statusCode >= 500 || http.statusCode == 429)
            completionHandler(.cancel); return
        }
        do {
            let h = try FileHandle(forWritingTo: file)
            try h.truncate(atOffset: UInt64(start))
            try h.seek(toOffset: UInt64(start))
            handle = h
            written = start
        } catch {
            failure = Failure(message: "cannot write \(file.path): \(error.localizedDescription)", retryable: false)
            completionHandler(.cancel); return
        }
        completionHandler(.allow)
    }

    /// Hugging Face answers `resolve/` URLs with a redirect to its CDN; the LFS digest
    /// (`X-Linked-Etag`) is on the redirect response, so keep it from there.
    public func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        for (k, v) in response.allHeaderFields where String(describing: k).lowercased() == "x-linked-etag" {
            redirectETag = String(describing: v).trimmingCharacters(in: CharacterSet(charactersIn: "\"W/ ")).lowercased()
        }
        completionHandler(request)
    }

    public func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard failure == nil, let h = handle else { return }
        do {
            try h.write(contentsOf: data)
            written += Int64(data.count)
            progress?(written, total)
        } catch {
            failure = Failure(message: "cannot write \(file.path): \(error.localizedDescription)", retryable: false)
            dataTask.cancel()
        }
    }

    public func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        if alreadyComplete { done.signal(); return }
        if failure == nil, let error {
            failure = Failure(message: error.localizedDescription, retryable: true)
        }
        if failure == nil, let t = total, written != t {
            failure = Failure(message: "connection closed after \(written) of \(t) bytes", retryable: true)
        }
        done.signal()
    }

    static func rangeStart(_ contentRange: String) -> Int64? {
        // "bytes 100-199/200"
        guard let sp = contentRange.split(separator: " ").last, let dash = sp.firstIndex(of: "-") else { return nil }
        return Int64(sp[sp.startIndex..<dash])
    }
}
