import CuepointTestSupport
import CuepointTime
import Testing

@testable import Cuepoint

@Suite(.ownThreads) struct ShortGraphTests {
    let landscape = ShortGraph(sourceWidth: 1920, sourceHeight: 1080, sampleAspectRatio: nil)

    @Test func cropCoversAndCentres() {
        let graph = landscape.video(width: 1080, height: 1920, fit: .crop, cropX: nil, lines: [], font: "/f.ttf")
        #expect(graph == "[in]scale=3414:1920:flags=bicubic,crop=1080:1920:1167:0,setsar=1,format=yuv420p[out]")
        #expect(landscape.upscaleFactor(width: 1080, height: 1920, fit: .crop) > 1.77)
    }

    @Test func cropFollowsTheMarkersPositionWithinThePicture() {
        let left = landscape.video(width: 1080, height: 1920, fit: .crop, cropX: 0, lines: [], font: "/f.ttf")
        #expect(left.contains("crop=1080:1920:0:0"))
        let right = landscape.video(width: 1080, height: 1920, fit: .crop, cropX: 0.9, lines: [], font: "/f.ttf")
        #expect(right.contains("crop=1080:1920:2334:0"), "clamped to the picture's right edge")
    }

    @Test func blurFitsThePictureOverABlurredCopy() {
        let graph = landscape.video(width: 1080, height: 1920, fit: .blur, cropX: nil, lines: [], font: "/f.ttf")
        #expect(graph.hasPrefix("[in]split=2[background][picture];"))
        #expect(graph.contains("gblur=sigma=6,scale=1080:1920"))
        #expect(graph.contains("[picture]scale=1080:608:flags=bicubic"))
        #expect(graph.contains("[blurred][fitted]overlay=x=0:y=656"))
        #expect(landscape.upscaleFactor(width: 1080, height: 1920, fit: .blur) < 1, "1920 wide fits 1080 down")
    }

    @Test func nonSquarePixelsAreMadeSquareFirst() {
        let anamorphic = ShortGraph(sourceWidth: 720, sourceHeight: 576, sampleAspectRatio: Rational(16, 11))
        #expect(anamorphic.squareWidth == 1048)
        #expect(anamorphic.video(width: 360, height: 640, fit: .crop, cropX: nil, lines: [], font: "f").hasPrefix("[in]scale=1048:576,setsar=1,"))
    }

    @Test func textIsQuotedAndShapedInPlace() {
        let lines = [
            ShortGraph.TextLine(text: "Chef's Knife: 50%, [new]", fontSize: 59, y: 1152),
            ShortGraph.TextLine(text: "$89.00", fontSize: 70, y: 1260, shown: 1500...3000),
        ]
        let graph = landscape.video(width: 1080, height: 1920, fit: .crop, cropX: nil, lines: lines, font: "/usr/share/fonts/a b.ttf")
        #expect(graph.contains(",drawtext=fontfile=\(FilterGraphQuoting.quoted("/usr/share/fonts/a b.ttf")):expansion=none:"))
        #expect(graph.contains("text=\(FilterGraphQuoting.quoted("Chef's Knife: 50%, [new]")):fontsize=59"))
        #expect(graph.contains(":x=(w-text_w)/2:y=1152"))
        #expect(graph.contains("enable=\(FilterGraphQuoting.quoted("between(t,1.5,3.0)"))"))
    }

    @Test func productTextSitsBelowTheMiddle() {
        let (lines, layout) = ShortGraph.productLines(title: "Smoked Paprika, 100 g", price: "$6.50", width: 1080, height: 1920)
        #expect(lines.map(\.text) == ["Smoked Paprika, 100 g", "$6.50"])
        #expect(lines.map(\.y) == [1152, 1259])
        #expect(lines.map(\.fontSize) == [59, 70])
        #expect(layout?.wasCut == false)
    }

    @Test func captionsAreShownBetweenTheirTimes() {
        let lines = ShortGraph.captionLines(
            [WebVTTCueText(startMilliseconds: 500, endMilliseconds: 2500, text: "Hello")], width: 1080, height: 1920)
        #expect(lines == [ShortGraph.TextLine(text: "Hello", fontSize: 48, y: 1617, shown: 500...2500)])
        #expect(ReplayCaptions.plainText("<c.yellow>Salt</c> &amp; <i>pepper</i>\nnext") == "Salt & pepper next")
    }

    @Test func audioIsMeasuredThenNormalisedLinearly() {
        #expect(
            ShortGraph.measurementAudio(startMilliseconds: 1500, endMilliseconds: 7250)
                == "atrim=start=1.500:end=7.250,ebur128=metadata=1:peak=true")
        let measured = LoudnessMeasurement(integrated: -18.06, range: 0.02, truePeak: -5.16)
        #expect(
            ShortGraph.normalisedAudio(startMilliseconds: 0, endMilliseconds: 6000, measurement: measured, options: ShortOptions())
                == "atrim=start=0.000:end=6.000,asetpts=PTS-STARTPTS,loudnorm=I=-16.00:TP=-1.50:LRA=7.00:measured_I=-18.06"
                + ":measured_TP=-5.16:measured_LRA=0.02:measured_thresh=-28.06:linear=true,aresample=48000,"
                + "aformat=sample_fmts=fltp:channel_layouts=stereo")
        let silence = LoudnessMeasurement(integrated: -70, range: 0, truePeak: -99)
        #expect(!ShortGraph.normalisedAudio(startMilliseconds: 0, endMilliseconds: 1, measurement: silence, options: ShortOptions()).contains("loudnorm"))
    }

    @Test func storyboardTilesAreTheFirstKeyframeAtOrAfterEachGridPoint() {
        var plan = StoryboardPlan(intervalMilliseconds: 5000)
        let taken = [0, 2000, 4000, 6000, 8000, 10_000, 12_000, 16_000, 30_000].filter { plan.takes(keyframeAt: $0) }
        #expect(taken == [0, 6000, 10_000, 16_000, 30_000])
    }
}

/// The quoting the graph descriptions use (CuepointFFmpeg's, written out here so the test states it).
enum FilterGraphQuoting {
    static func quoted(_ value: String) -> String {
        func quote(_ text: String) -> String { "'" + text.replacing("'", with: #"'\''"#) + "'" }
        return quote(quote(value))
    }
}
