import CuepointFFmpeg
import CuepointTime
import Foundation

/// The libavfilter graphs of a short, written as graph descriptions: a pure function of the
/// source picture's geometry, the short's options and what is written on it.
///
/// ## Video
///
/// ```
/// crop:  [in] scale (to cover W×H) ─► crop W×H (centre, or the marker's crop_x) ─► text ─► format=yuv420p [out]
/// blur:  [in] split ─► scale (cover ¼ size) ─► crop ─► gblur ─► scale W×H ─┐
///                 └──► scale (to W wide) ─────────────────────────────────┴► overlay (centred) ─► text ─► [out]
/// ```
///
/// Sizes are computed here in whole, even pixels, so the filters are told exact numbers.
/// Non-square source pixels are made square first. `text` is one `drawtext` per line (title
/// lines, then the price, in a box near the bottom third) plus one per burned-in caption line,
/// shown between its cue's times (`enable='between(t,…)'`, `t` being the short's time).
///
/// ## Audio
///
/// Two passes over the same samples: ``measurementAudio(startMilliseconds:endMilliseconds:)`` measures the
/// window with `ebur128`; ``normalisedAudio(startMilliseconds:endMilliseconds:measurement:options:)`` applies
/// `loudnorm` in linear mode with those measurements (one gain for the whole short, so its
/// integrated loudness lands on the target), then resamples to 48 kHz stereo `fltp` for AAC.
struct ShortGraph {
    /// The source picture.
    var sourceWidth: Int
    var sourceHeight: Int
    var sampleAspectRatio: Rational?

    /// One line of text drawn on the picture.
    struct TextLine: Equatable {
        var text: String
        var fontSize: Int
        /// The top of the line, in pixels from the top.
        var y: Int
        /// Shown only between these times of the short, in milliseconds; nil: always.
        var shown: ClosedRange<Int64>?
    }

    /// The source width once its pixels are square.
    var squareWidth: Int {
        guard let aspect = sampleAspectRatio, aspect.numerator != aspect.denominator, aspect.numerator > 0 else {
            return sourceWidth
        }
        return Self.even(Double(sourceWidth) * Double(aspect.numerator) / Double(aspect.denominator))
    }

    /// How much the short scales the source up (1 or less: no upscaling).
    func upscaleFactor(width: Int, height: Int, fit: ShortOptions.Fit) -> Double {
        let across = Double(width) / Double(squareWidth)
        let down = Double(height) / Double(sourceHeight)
        return fit == .crop ? max(across, down) : across
    }

    /// The video graph (labels `in` and `out`).
    ///
    /// - Parameters:
    ///   - cropX: Where the centre of the crop sits across the source, 0 to 1 (crop only); nil: the centre.
    ///   - lines: The text to draw.
    ///   - font: The font file.
    func video(width: Int, height: Int, fit: ShortOptions.Fit, cropX: Double?, lines: [TextLine], font: String) -> String {
        var square = ""
        if squareWidth != sourceWidth { square = "scale=\(squareWidth):\(sourceHeight),setsar=1," }
        let text = lines.map { drawtext($0, font: font) }.joined()
        switch fit {
        case .crop:
            let (scaledWidth, scaledHeight) = Self.cover(squareWidth, sourceHeight, width, height)
            let centre = (cropX ?? 0.5) * Double(scaledWidth)
            let x = min(max(0, Int((centre - Double(width) / 2).rounded())), scaledWidth - width)
            let y = (scaledHeight - height) / 2
            return "[in]\(square)scale=\(scaledWidth):\(scaledHeight):flags=bicubic,crop=\(width):\(height):\(x):\(y),setsar=1"
                + "\(text),format=yuv420p[out]"
        case .blur:
            let smallWidth = Self.even(Double(width) / 4)
            let smallHeight = Self.even(Double(height) / 4)
            let (coverWidth, coverHeight) = Self.cover(squareWidth, sourceHeight, smallWidth, smallHeight)
            let fittedHeight = min(height, Self.even(Double(sourceHeight) * Double(width) / Double(squareWidth)))
            let fittedWidth = fittedHeight == height ? Self.even(Double(squareWidth) * Double(height) / Double(sourceHeight)) : width
            return "[in]\(square)split=2[background][picture];"
                + "[background]scale=\(coverWidth):\(coverHeight):flags=fast_bilinear,"
                + "crop=\(smallWidth):\(smallHeight):\((coverWidth - smallWidth) / 2):\((coverHeight - smallHeight) / 2),"
                + "gblur=sigma=6,scale=\(width):\(height):flags=bilinear,setsar=1[blurred];"
                + "[picture]scale=\(fittedWidth):\(fittedHeight):flags=bicubic,setsar=1[fitted];"
                + "[blurred][fitted]overlay=x=\((width - fittedWidth) / 2):y=\((height - fittedHeight) / 2)"
                + "\(text),format=yuv420p[out]"
        }
    }

    /// `,drawtext=…` for one line: white, centred, in a translucent box, exactly the given text
    /// (`expansion=none`), shaped (right-to-left reordering, Arabic joining) by libfribidi.
    private func drawtext(_ line: TextLine, font: String) -> String {
        var options = [
            "fontfile=\(FilterGraph.quoted(font))", "expansion=none", "text=\(FilterGraph.quoted(line.text))",
            "fontsize=\(line.fontSize)", "fontcolor=white", "box=1", "boxcolor=black@0.55",
            "boxborderw=\(max(2, line.fontSize / 4))", "x=(w-text_w)/2", "y=\(line.y)",
        ]
        if let shown = line.shown {
            let from = Double(shown.lowerBound) / 1000
            let to = Double(shown.upperBound) / 1000
            options.append("enable=\(FilterGraph.quoted("between(t,\(from),\(to))"))")
        }
        return ",drawtext=" + options.joined(separator: ":")
    }

    /// The size that covers `width`×`height` with the source's proportions, in even pixels.
    private static func cover(_ sourceWidth: Int, _ sourceHeight: Int, _ width: Int, _ height: Int) -> (Int, Int) {
        let factor = max(Double(width) / Double(sourceWidth), Double(height) / Double(sourceHeight))
        return (max(width, even(Double(sourceWidth) * factor)), max(height, even(Double(sourceHeight) * factor)))
    }

    static func even(_ value: Double) -> Int { max(2, Int((value / 2).rounded()) * 2) }

    /// The text of a short or poster: the title's lines, then the price, from 60 % of the height
    /// down; font sizes in proportion to the width.
    static func productLines(
        title: String?, price: String?, width: Int, height: Int
    ) -> (lines: [TextLine], layout: ShortText.Layout?) {
        let titleSize = max(12, width * 11 / 200)
        let priceSize = max(14, width * 13 / 200)
        var lines: [TextLine] = []
        var y = height * 60 / 100
        var layout: ShortText.Layout?
        if let title {
            let laidOut = ShortText.layout(title, width: width * 88 / 100, fontSize: titleSize)
            layout = laidOut
            for line in laidOut.lines {
                lines.append(TextLine(text: line, fontSize: titleSize, y: y))
                y += titleSize * 3 / 2
            }
        }
        if let price {
            y += titleSize / 3
            lines.append(TextLine(text: price, fontSize: priceSize, y: y))
        }
        return (lines, layout)
    }

    /// Burned-in caption lines: each cue's text (tags removed, character references decoded),
    /// wrapped, at the bottom, shown between the cue's times on the short's timeline.
    static func captionLines(_ cues: [WebVTTCueText], width: Int, height: Int) -> [TextLine] {
        let size = max(12, width * 9 / 200)
        var lines: [TextLine] = []
        for cue in cues {
            let wrapped = ShortText.layout(cue.text, width: width * 90 / 100, fontSize: size, maximumLines: 3).lines
            var y = height * 88 / 100 - wrapped.count * size * 3 / 2
            for line in wrapped {
                lines.append(TextLine(text: line, fontSize: size, y: y, shown: cue.startMilliseconds...cue.endMilliseconds))
                y += size * 3 / 2
            }
        }
        return lines
    }

    /// The measuring pass's graph: the window's samples (`start..<end`, replay milliseconds, cut
    /// to the sample by `atrim`) through `ebur128`, which writes its running measurements into each
    /// frame's metadata.
    static func measurementAudio(startMilliseconds: Int64, endMilliseconds: Int64) -> String {
        "\(trim(startMilliseconds, endMilliseconds)),ebur128=metadata=1:peak=true"
    }

    /// `atrim` from `start` to `end` milliseconds, written in seconds (atrim's `start_pts` counts
    /// samples, not the input's time base).
    private static func trim(_ start: Int64, _ end: Int64) -> String {
        "atrim=start=\(ChapterPlan.seconds(start).dropLast()):end=\(ChapterPlan.seconds(end).dropLast())"
    }

    /// The second pass's graph: the same samples, one gain to the loudness target (loudnorm's
    /// linear mode, given the first pass's measurements), 48 kHz stereo `fltp`, starting at 0.
    static func normalisedAudio(
        startMilliseconds: Int64, endMilliseconds: Int64, measurement: LoudnessMeasurement, options: ShortOptions
    ) -> String {
        func number(_ value: Double) -> String { String(format: "%.2f", value) }
        var chain = "\(trim(startMilliseconds, endMilliseconds)),asetpts=PTS-STARTPTS"
        if measurement.integrated > -70 {
            // loudnorm takes the linear path only with every measurement given and a loudness
            // range no wider than its target; the range is not what a short is normalised for,
            // so the target range is set to admit the measured one. The relative gate
            // (measured_thresh) matters only to loudnorm's dynamic mode; -10 LU below the
            // integrated loudness is where EBU R128 puts it.
            let range = min(50, max(7, measurement.range.rounded(.up)))
            chain += ",loudnorm=I=\(number(options.loudnessTarget)):TP=\(number(options.truePeakLimit)):LRA=\(number(range))"
                + ":measured_I=\(number(measurement.integrated)):measured_TP=\(number(measurement.truePeak))"
                + ":measured_LRA=\(number(max(0.01, measurement.range))):measured_thresh=\(number(measurement.integrated - 10))"
                + ":linear=true"
        }
        return chain + ",aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo"
    }
}

/// What the first audio pass measured (EBU R128, `ebur128`).
struct LoudnessMeasurement: Equatable {
    /// Integrated loudness in LUFS; -70 for silence.
    var integrated: Double
    /// Loudness range in LU.
    var range: Double
    /// The highest true peak over all channels, in dBTP.
    var truePeak: Double
}

/// A caption cue reduced to plain text for drawing, on the short's timeline (milliseconds).
struct WebVTTCueText: Equatable {
    var startMilliseconds: Int64
    var endMilliseconds: Int64
    var text: String
}
