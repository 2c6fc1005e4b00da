import CuepointHLS
import CuepointObjectStorage
import Foundation
import NIOCore

/// Moves a whole recording or replay package between a store and a local directory, for a
/// replay made on the store: libavformat reads local files, so the recording is downloaded into
/// a temporary local spool first, and the package is exported locally, then uploaded.
///
/// Requests go to the target's client a few at a time (``concurrency``), in tasks that only wait
/// on the network; the files are read and written on the calling thread (a replay's own thread).
enum RecordingTransfer {
    /// Requests in flight at most.
    static let concurrency = 8

    // MARK: - Download

    /// Copies the recording at `remote` into the local directory `directory` (created): what a
    /// replay reads (``ReplaySource``): `master.m3u8`, each rendition's `index.m3u8` with the
    /// segments and init sections it lists, `markers.jsonl` and `recording.json`. Needs no
    /// listing, so an HTTP origin serves as well as S3.
    ///
    /// - Returns: how many files were downloaded.
    /// - Throws: ``CuepointError`` naming the object that could not be read, or the local path.
    @discardableResult
    static func download(_ remote: RemoteStore, into directory: URL) throws(CuepointError) -> Int {
        let local = DirectoryStore(root: directory)
        func fail(_ error: StorageError) -> CuepointError {
            CuepointError(subject: error.path, message: "cannot \(error.operation): \(error.reason)", fix: error.fix)
        }
        var files: [String] = []
        do {
            try local.prepare(folders: [])
            guard let master = try remote.read(RecordingLayout.multivariantPlaylist) else {
                throw CuepointError(
                    subject: "\(remote.location)/\(RecordingLayout.multivariantPlaylist)", message: "no such object",
                    fix: "pass the target a recording was published to (it holds master.m3u8)")
            }
            try local.replace(RecordingLayout.multivariantPlaylist, with: master)
            let variants: [VariantStream]
            do {
                variants = try MultivariantPlaylist(parsing: String(decoding: master, as: UTF8.self)).variants
            } catch {
                throw CuepointError(
                    subject: "\(remote.location)/\(RecordingLayout.multivariantPlaylist)", message: "cannot be parsed: \(error)",
                    fix: "pass the target a recording was published to")
            }
            for variant in variants {
                let parts = variant.uri.split(separator: "/")
                guard parts.count == 2 else { continue }
                let rendition = String(parts[0])
                try local.prepare(folders: [rendition])
                let playlistPath = RecordingLayout.playlistPath(.index, in: rendition)
                guard let bytes = try remote.read(playlistPath) else { continue }
                try local.replace(playlistPath, with: bytes)
                guard let playlist = try? MediaPlaylist(parsing: String(decoding: bytes, as: UTF8.self)) else { continue }
                var seen = Set<String>()
                for segment in playlist.segments {
                    for uri in [segment.map?.uri, segment.uri].compactMap({ $0 }) where seen.insert(uri).inserted {
                        files.append(RecordingLayout.path(uri, in: rendition))
                    }
                }
            }
            for document in [RecordingLayout.markerLog, RecordingLayout.state] {
                if let bytes = try remote.read(document) { try local.replace(document, with: bytes) }
            }
        } catch let error as StorageError {
            throw fail(error)
        } catch let error as CuepointError {
            throw error
        } catch {
            throw CuepointError(subject: remote.location, message: "\(error)")
        }
        for start in stride(from: 0, to: files.count, by: concurrency) {
            let batch = Array(files[start..<min(files.count, start + concurrency)])
            let (client, keys) = (remote.client, batch.map(remote.key))
            let fetched = BlockingCall.run {
                await withTaskGroup(of: (Int, Result<ByteBuffer, ObjectStorageError>).self) { group in
                    for (index, key) in keys.enumerated() {
                        group.addTask { (index, await fetch(key, from: client)) }
                    }
                    var results = [Result<ByteBuffer, ObjectStorageError>?](repeating: nil, count: keys.count)
                    for await (index, result) in group { results[index] = result }
                    return results.map { $0! }
                }
            }
            for (path, result) in zip(batch, fetched) {
                switch result {
                case .success(let buffer):
                    do {
                        try local.replace(path, with: Array(buffer.readableBytesView))
                    } catch {
                        throw fail(error)
                    }
                case .failure(let error) where error.kind == .noSuchKey:
                    continue  // the replay reports the missing segment and leaves it out
                case .failure(let error):
                    throw fail(remote.storageError(error, path: path, operation: "download"))
                }
            }
        }
        return files.count
    }

    private static func fetch(_ key: String, from client: any ObjectStorageClient) async -> Result<ByteBuffer, ObjectStorageError> {
        do throws(ObjectStorageError) {
            return .success(try await client.getObject(key))
        } catch {
            return .failure(error)
        }
    }

    // MARK: - Upload

    /// Whether a replay package may be written to `remote`: the prefix holds nothing, or an
    /// earlier replay (its `replay.json`) and `force` is set. An S3 target is listed; an HTTP
    /// origin can only be asked for `replay.json`.
    ///
    /// - Throws: ``CuepointError`` naming the target and the fix.
    static func checkPackageDestination(_ remote: RemoteStore, force: Bool) throws(CuepointError) {
        do {
            let hasManifest = try remote.metadata(ReplayStaging.manifestName) != nil
            if hasManifest {
                guard force else {
                    throw CuepointError(
                        subject: remote.location, message: "already holds a replay",
                        fix: "pass --force (or `force: true` under `replay:`) to replace it, or choose another target")
                }
                return
            }
            if remote.client is any ObjectListing, !(try remote.list("")).isEmpty {
                throw CuepointError(
                    subject: remote.location, message: "is not empty and holds no replay (no \(ReplayStaging.manifestName))",
                    fix: "choose a new prefix; --force replaces only an earlier replay")
            }
        } catch let error as StorageError {
            throw CuepointError(subject: error.path, message: "cannot \(error.operation): \(error.reason)", fix: error.fix)
        } catch let error as CuepointError {
            throw error
        } catch {
            throw CuepointError(subject: remote.location, message: "\(error)")
        }
    }

    /// Uploads the package in `directory` to `remote`, `replay.json` last so a consumer can wait
    /// for it. Large files (`replay.mp4`) go up in parts (``S3Client/uploadFile(_:path:headers:ifNoneMatch:partSize:multipartThreshold:)``).
    /// With `replacing` (an earlier replay there and `force`), the old `replay.json` is removed
    /// first, objects are replaced, and on S3 the old package's objects that the new one does
    /// not have are deleted before the new `replay.json` appears.
    ///
    /// - Returns: how many files were uploaded.
    @discardableResult
    static func uploadPackage(from directory: URL, to remote: RemoteStore, replacing: Bool) throws(CuepointError) -> Int {
        let manifest = ReplayStaging.manifestName
        let files = localFiles(under: directory)
        guard files.contains(manifest) else {
            throw CuepointError(subject: directory.path, message: "holds no \(manifest)", fix: "export the replay again")
        }
        do throws(StorageError) {
            if replacing { try remote.remove([manifest]) }
            let body = files.filter { $0 != manifest }
            for start in stride(from: 0, to: body.count, by: concurrency) {
                let batch = Array(body[start..<min(body.count, start + concurrency)])
                let client = remote.client
                let uploads = batch.map { path in
                    (key: remote.key(path), local: directory.appendingPathComponent(path).path)
                }
                let failures = BlockingCall.run {
                    await withTaskGroup(of: (Int, ObjectStorageError?).self) { group in
                        for (index, upload) in uploads.enumerated() {
                            group.addTask {
                                (index, await put(upload.local, at: upload.key, to: client, replacing: replacing))
                            }
                        }
                        var failures = [ObjectStorageError?](repeating: nil, count: uploads.count)
                        for await (index, failure) in group { failures[index] = failure }
                        return failures
                    }
                }
                for (path, failure) in zip(batch, failures) {
                    if let failure { throw remote.storageError(failure, path: path, operation: "upload") }
                }
            }
            if replacing, remote.client is any ObjectListing {
                let kept = Set(files)
                let stale = try allObjects(remote).filter { !kept.contains($0) }
                if !stale.isEmpty { try remote.remove(stale) }
            }
            try remote.upload(
                file: directory.appendingPathComponent(manifest).path, to: manifest, replacing: true)
        } catch {
            throw CuepointError(subject: error.path, message: "cannot \(error.operation): \(error.reason)", fix: error.fix)
        }
        return files.count
    }

    private static func put(
        _ path: String, at key: String, to client: any ObjectStorageClient, replacing: Bool
    ) async -> ObjectStorageError? {
        do throws(ObjectStorageError) {
            let headers = CachePolicy.headersForFile(key: key)
            try await client.putFile(key, path: path, headers: headers, ifNoneMatch: !replacing)
            return nil
        } catch {
            return error
        }
    }

    /// Every file under `directory`, as `/`-separated relative paths, sorted.
    static func localFiles(under directory: URL) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory.path) else { return [] }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let path = directory.appendingPathComponent(relative).path
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(relative)
            }
        }
        return files.sorted()
    }

    /// Every object under the target's prefix, as paths relative to it (S3 only).
    private static func allObjects(_ remote: RemoteStore) throws(StorageError) -> [String] {
        var paths: [String] = []
        var folders = [""]
        while let folder = folders.popLast() {
            for entry in try remote.list(folder) {
                let path = folder.isEmpty ? entry.name : "\(folder)/\(entry.name)"
                if entry.isFolder { folders.append(path) } else { paths.append(path) }
            }
        }
        return paths
    }
}
