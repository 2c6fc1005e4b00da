public import Foundation
internal import Yams

/// Reads pipeline files: YAML (or JSON, which is YAML too) into a ``PipelineSpec``.
///
/// ```swift
/// do {
///     let spec = try PipelineFile.load(path: "Pipelines/remux.yaml")
///     print(spec.recordingDirectory)   // out/remux
/// } catch {
///     print(error)   // Pipelines/remux.yaml:7:3: output.sgement: unknown key; did you mean `segment`?
/// }
/// ```
///
/// Relative paths inside the file (`input.url`, `output.directory`) are kept as written and
/// resolve against the current working directory of the process that runs the job, not the
/// directory of the pipeline file.
public enum PipelineFile {
    /// Reads and decodes the pipeline file at `path`.
    ///
    /// - Parameters:
    ///   - path: The file to read, as the user named it; problems are reported against it.
    ///   - environment: Where `${NAME}` references are looked up.
    /// - Throws: ``PipelineFileError`` with one problem when the file is missing, unreadable,
    ///   not UTF-8, empty or not valid YAML; otherwise with every problem found in it.
    public static func load(
        path: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(PipelineFileError) -> PipelineSpec {
        func fail(_ message: String) -> PipelineFileError {
            PipelineFileError(problems: [
                PipelineProblem(file: path, line: 0, column: 0, keyPath: "", message: message)
            ])
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw fail("no such file")
        }
        guard !isDirectory.boolValue else { throw fail("is a directory, not a pipeline file") }
        let data: Data
        do {
            data = try FileContents.read(URL(fileURLWithPath: path))
        } catch {
            throw fail("cannot read the file: \(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw fail("is not UTF-8 text") }
        return try decode(text, fileName: path, environment: environment)
    }

    /// Decodes pipeline-file text.
    ///
    /// - Parameters:
    ///   - text: The YAML or JSON text.
    ///   - fileName: The name problems are reported against.
    ///   - environment: Where `${NAME}` references are looked up.
    ///   - defaults: What the text may leave out because the caller supplies it (the show
    ///     server gives the input and the output folder of a show).
    /// - Throws: ``PipelineFileError`` with one problem for empty text or a YAML syntax error;
    ///   otherwise with every problem found, sorted by position.
    public static func decode(
        _ text: String,
        fileName: String,
        environment: [String: String],
        defaults: PipelineDefaults = PipelineDefaults()
    ) throws(PipelineFileError) -> PipelineSpec {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw PipelineFileError(problems: [syntaxProblem(error, text: text, fileName: fileName)])
        }
        guard let root else {
            throw PipelineFileError(problems: [
                PipelineProblem(
                    file: fileName, line: 1, column: 1, keyPath: "",
                    message: "the file is empty; a pipeline needs at least `version`, `name` and `input.url`")
            ])
        }
        var decoder = PipelineDecoder(fileName: fileName, environment: environment)
        decoder.defaults = defaults
        guard let spec = decoder.decodeDocument(root), decoder.problems.isEmpty else {
            throw PipelineFileError(problems: decoder.problems)
        }
        return spec
    }

    /// A line and column, both from 1.
    typealias Position = (line: Int, column: Int)

    /// The one problem a YAML parse error becomes, positioned where libyaml stopped.
    public static func syntaxProblem(_ error: any Error, text: String, fileName: String) -> PipelineProblem {
        func problem(_ place: Position?, _ message: String) -> PipelineProblem {
            PipelineProblem(
                file: fileName, line: place?.line ?? 0, column: place?.column ?? 0, keyPath: "", message: message)
        }
        guard let yamlError = error as? YamlError else {
            return problem(nil, "cannot parse the file: \(error)")
        }
        switch yamlError {
        case .scanner(let context, let text, let mark, let yaml),
            .parser(let context, let text, let mark, let yaml),
            .composer(let context, let text, let mark, let yaml):
            var message = "YAML syntax error: \(text)"
            if text == "but found another document" {
                message = "the file holds more than one YAML document; a pipeline file is a single document"
            } else if let context {
                message += " (\(context.text) at \(context.mark.line):\(context.mark.column))"
            }
            if character(at: mark, in: yaml) == "\t" {
                message += "; indent with spaces, not tabs"
            }
            return problem((mark.line, mark.column), message)
        case .reader(let text, let offset, _, let yaml):
            return problem(offset.map { mark(ofCharacterOffset: $0, in: yaml) }, "cannot read the text: \(text)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let key = duplicates.first ?? ""
            let first = (line: context.mark.line, column: context.mark.column)
            let place = secondOccurrence(of: key, after: first, in: text) ?? first
            return PipelineProblem(
                file: fileName, line: place.line, column: place.column, keyPath: "",
                message: "`\(EchoedText.value(key))` appears twice in the same mapping; each key may be given only once")
        default:
            return problem(nil, "cannot parse the file: \(yamlError)")
        }
    }

    /// The character at a libyaml mark (line and column from 1, counted in Unicode scalars).
    private static func character(at mark: Mark, in text: String) -> Character? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard mark.line >= 1, mark.line <= lines.count else { return nil }
        let scalars = Array(lines[mark.line - 1].unicodeScalars)
        guard mark.column >= 1, mark.column <= scalars.count else { return nil }
        return Character(scalars[mark.column - 1])
    }

    private static func mark(ofCharacterOffset offset: Int, in text: String) -> Position {
        var line = 1
        var column = 1
        for character in text.prefix(offset) {
            if character == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }

    /// Where a duplicated block-mapping key is written again: the next line below `first`
    /// that starts with `key:` at the same column. Yams reports only the first occurrence.
    private static func secondOccurrence(of key: String, after first: Position, in text: String) -> Position? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard first.line >= 1, first.line < lines.count, first.column >= 1 else { return nil }
        for index in first.line..<lines.count {
            let scalars = lines[index].unicodeScalars
            guard scalars.count >= first.column else { continue }
            let rest = String(String.UnicodeScalarView(scalars.dropFirst(first.column - 1)))
            let indentation = scalars.prefix(first.column - 1)
            guard indentation.allSatisfy({ $0 == " " || $0 == "-" }), rest.hasPrefix(key) else { continue }
            let afterKey = rest.dropFirst(key.count).drop { $0 == " " }
            if afterKey.hasPrefix(":") { return (index + 1, first.column) }
        }
        return nil
    }
}
