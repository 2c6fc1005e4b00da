import CuepointJSON
internal import Yams

/// The `markers:` section: where product markers come from and how they are carried.
extension PipelineDecoder {
    /// The keys of `markers:`.
    static let markersKeys = ["class", "align", "carry", "from"]
    /// The keys of each `markers.from:` entry; exactly one per entry.
    static let markerSourceKeys = ["file", "list"]
    /// `markers.from:` source kinds of later versions.
    static let reservedMarkerSourceKeys: [String: String] = [
        "api": "`api` (the HTTP marker API) is not supported by this version of cuepoint"
    ]

    /// The `markers:` section, defaults filled in.
    mutating func decodeMarkers(_ node: Node) -> MarkersSpec {
        var spec = MarkersSpec()
        guard let fields = fields(of: node, path: "markers", known: Self.markersKeys) else { return spec }
        if let node = optional("class", in: fields), let name = nonEmptyText(node, "markers.class") {
            if MarkersSpec.isValidClassName(name) {
                spec.className = name
            } else {
                report(
                    node, "markers.class",
                    "expected a reverse-DNS name such as `com.example.shop.product` (labels of letters, digits and "
                        + "`-`, separated by dots), got \(quote(name))")
            }
        }
        if let node = optional("align", in: fields), let align = boolean(node, "markers.align") {
            spec.align = align
        }
        if let node = optional("carry", in: fields), let carry = decodeCarriage(node, "markers.carry") {
            spec.carry = carry
        }
        if let node = optional("from", in: fields) {
            decodeMarkerSources(node, into: &spec)
        }
        return spec
    }

    /// `markers.carry`: a non-empty list of carriages, each named once.
    mutating func decodeCarriage(_ node: Node, _ path: String) -> Set<MarkerCarriage>? {
        guard case .sequence(let sequence) = node else {
            report(node, path, "expected a list such as [daterange, id3], got \(describe(node))")
            return nil
        }
        guard !sequence.isEmpty else {
            report(node, path, "must name at least one carriage: `daterange`, `id3` or both")
            return nil
        }
        var carriages = Set<MarkerCarriage>()
        for (offset, item) in sequence.enumerated() {
            let itemPath = "\(path)[\(offset)]"
            guard let carriage = choice(item, itemPath, of: MarkerCarriage.self) else { continue }
            if !carriages.insert(carriage).inserted {
                report(item, itemPath, "`\(carriage.rawValue)` is listed twice")
            }
        }
        return carriages
    }

    /// `markers.from`: a list of sources, each `file:` or `list:`.
    mutating func decodeMarkerSources(_ node: Node, into spec: inout MarkersSpec) {
        guard case .sequence(let sequence) = node else {
            report(
                node, "markers.from",
                "expected a list of sources such as `- file: products.jsonl`, got \(describe(node))")
            return
        }
        var firstUse: [String: String] = [:]
        for (offset, item) in sequence.enumerated() {
            let path = "markers.from[\(offset)]"
            guard
                let fields = fields(
                    of: item, path: path, known: Self.markerSourceKeys, reserved: Self.reservedMarkerSourceKeys)
            else { continue }
            let given = Self.markerSourceKeys.filter { fields.entries[$0] != nil }
            if given.count > 1, let second = fields.entries[given[1]] {
                report(
                    second.key, join(path, given[1]),
                    "a source is either `file` or `list`; write another `- \(given[1]):` entry")
                continue
            }
            guard let kind = given.first else {
                let reserved = item.mapping?.keys.contains { Self.reservedMarkerSourceKeys[$0.string ?? ""] != nil }
                if reserved != true {
                    report(item, path, "expected `file: PATH.jsonl` or `list: [markers]`")
                }
                continue
            }
            guard let value = required(kind, in: fields) else { continue }
            if kind == "file" {
                if let file = nonEmptyText(value, join(path, "file")) { spec.files.append(file) }
            } else {
                decodeMarkerList(value, join(path, "list"), into: &spec, firstUse: &firstUse)
            }
        }
    }

    /// `markers.from[].list`: markers written in the pipeline, each decoded by ``MarkerDecoder``
    /// exactly as a JSON line is, its problems placed at the field concerned.
    mutating func decodeMarkerList(
        _ node: Node,
        _ path: String,
        into spec: inout MarkersSpec,
        firstUse: inout [String: String]
    ) {
        guard case .sequence(let items) = node else {
            report(node, path, "expected a list of markers, got \(describe(node))")
            return
        }
        for (offset, item) in items.enumerated() {
            let itemPath = "\(path)[\(offset)]"
            guard case .mapping = item else {
                report(
                    item, itemPath,
                    "expected a mapping of marker fields (`title`, `url`, `start`, …), got \(describe(item))")
                continue
            }
            var places: [String: (key: Node, value: Node)] = [:]
            guard let value = markerValue(item, itemPath, relative: "", places: &places) else { continue }
            switch MarkerDecoder.decode(
                value, options: MarkerDecoder.Options(), source: fileName, line: item.mark?.line)
            {
            case .success(let marker):
                if !Marker.isGeneratedID(marker.id) {
                    if let earlier = firstUse[marker.id] {
                        report(
                            places["id"]?.value ?? item, itemPath + ".id",
                            "`\(EchoedText.value(marker.id))` is already the id of \(earlier)")
                        continue
                    }
                    firstUse[marker.id] = itemPath
                }
                spec.inline.append(marker)
            case .failure(let failure):
                for problem in failure.problems {
                    var node = item
                    if let field = problem.field {
                        let place = places[field] ?? field.split(separator: ".").first.flatMap { places[String($0)] }
                        let aboutTheName =
                            problem.message.hasPrefix("unknown field") || problem.message.hasPrefix("expected a key")
                        node = (aboutTheName ? place?.key : place?.value) ?? item
                    }
                    report(
                        node, problem.field.map { itemPath + "." + $0 } ?? itemPath, problem.message,
                        suggestion: problem.suggestion)
                }
            }
        }
    }

    /// A YAML node as the JSON value ``MarkerDecoder`` reads: plain scalars are `untyped` (the
    /// field decides whether `4.2` is a number or text), quoted ones strings, `${NAME}` expanded.
    /// Records where each field (`title`, `attributes.color`) is written in `places`.
    ///
    /// - Returns: nil (after reporting) when a scalar cannot be expanded or the node is an alias.
    mutating func markerValue(
        _ node: Node,
        _ path: String,
        relative: String,
        places: inout [String: (key: Node, value: Node)]
    ) -> JSONValue? {
        switch node {
        case .scalar(let scalar):
            if isNull(node) { return .null }
            guard let text = text(node, path) else { return nil }
            return scalar.style == .plain || scalar.style == .any ? .untyped(text) : .string(text)
        case .mapping(let mapping):
            var members: [JSONMember] = []
            var failed = false
            for (keyNode, valueNode) in mapping {
                guard case .scalar(let key) = keyNode, !isNull(keyNode) else {
                    report(keyNode, path, "expected a field name, got \(describe(keyNode))")
                    failed = true
                    continue
                }
                let child = relative.isEmpty ? key.string : relative + "." + key.string
                places[child] = (keyNode, valueNode)
                if let value = markerValue(valueNode, join(path, key.string), relative: child, places: &places) {
                    members.append(JSONMember(key: key.string, value: value))
                } else {
                    failed = true
                }
            }
            return failed ? nil : .object(members)
        case .sequence(let sequence):
            var elements: [JSONValue] = []
            var failed = false
            for (offset, element) in sequence.enumerated() {
                let child = "\(relative)[\(offset)]"
                if let value = markerValue(element, "\(path)[\(offset)]", relative: child, places: &places) {
                    elements.append(value)
                } else {
                    failed = true
                }
            }
            return failed ? nil : .array(elements)
        case .alias:
            report(node, path, "YAML aliases are not supported in markers; write the value out")
            return nil
        }
    }
}
