/// What a pipeline document may leave out because the program that reads it supplies it.
///
/// A pipeline file for `cuepoint run` must name its input, and its recording goes under
/// `output.directory` (default `out`). The show server takes documents without an `input`
/// (the show's publisher then comes through the server's RTMP port or a streaming server's
/// hook) and puts recordings under its data directory when `output.directory` is left out.
public struct PipelineDefaults: Sendable, Equatable {
    /// The input of a document without `input:`; nil keeps `input` required.
    public var input: InputSpec?
    /// `output.directory` when the document does not give it; nil keeps ``OutputSpec/defaultDirectory``.
    public var outputDirectory: String?

    public init(input: InputSpec? = nil, outputDirectory: String? = nil) {
        self.input = input
        self.outputDirectory = outputDirectory
    }
}
