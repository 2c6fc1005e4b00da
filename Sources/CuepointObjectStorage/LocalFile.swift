import NIOCore
import NIOFileSystem

/// Reads the local files that are uploaded, on NIO's file-system thread pool, so a read never
/// blocks Swift's cooperative threads.
enum LocalFile {
    /// The size of the file at `path`, in bytes.
    static func size(_ path: String) async throws(ObjectStorageError) -> Int {
        do {
            return try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(path)) { handle in
                Int(try await handle.info().size)
            }
        } catch {
            throw unreadable(path, error)
        }
    }

    /// The bytes `offset ..< offset + length` of the file at `path`.
    static func read(_ path: String, offset: Int, length: Int) async throws(ObjectStorageError) -> ByteBuffer {
        do {
            return try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(path)) { handle in
                var buffer = ByteBuffer()
                var position = Int64(offset)
                let end = Int64(offset + length)
                while position < end {
                    var chunk = try await handle.readChunk(
                        fromAbsoluteOffset: position, length: .bytes(end - position))
                    if chunk.readableBytes == 0 { break }
                    position += Int64(chunk.readableBytes)
                    buffer.writeBuffer(&chunk)
                }
                return buffer
            }
        } catch {
            throw unreadable(path, error)
        }
    }

    /// The whole file at `path`.
    static func read(_ path: String) async throws(ObjectStorageError) -> ByteBuffer {
        try await read(path, offset: 0, length: try await size(path))
    }

    private static func unreadable(_ path: String, _ error: any Error) -> ObjectStorageError {
        ObjectStorageError(kind: .localFile, operation: "read", target: path, message: String(describing: error))
    }
}
