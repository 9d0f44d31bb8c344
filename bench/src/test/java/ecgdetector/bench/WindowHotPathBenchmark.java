package ecgdetector.bench;

import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import ecgdetector.model.inference.ReleaseModel;
import ecgdetector.model.release.ReleaseBundle;
import ecgdetector.model.scoring.BeatScore;
import ecgdetector.model.scoring.ErrorMetric;
import ecgdetector.model.scoring.MinMaxScaler;
import ecgdetector.schemas.Decoded;
import ecgdetector.schemas.HeartbeatWindow;
import ecgdetector.schemas.JsonSerde;
import ecgdetector.schemas.ModelRef;
import ecgdetector.schemas.Score;
import ecgdetector.schemas.WindowSource;
import ecgdetector.streamer.alert.EventFactory;
import ecgdetector.streamer.batch.BufferedWindowSerde;
import ecgdetector.streamer.decode.HeartbeatDecoder;
import ecgdetector.streamer.window.BufferedWindow;
import ecgdetector.trainer.testing.TestReleases;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Serializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The streamer's work per heartbeat window, step by step, without Kafka: decode and validate a raw ecg.csv
 * line (or a JSON window), scale it, score a reconstruction, write the window to the batch buffer's changelog
 * form and back, write its score event as JSON; and the DJL call itself per window, at batch 1 and 256.
 * Each result is time per window.
 *
 * <p>The input is the real ECG5000 lines ({@code -Decg.data=PATH} or {@code $ECG_DATA}) where available,
 * else generated beats. The model is the release in {@code -Dbench.release=DIR} (e.g.
 * {@code out/demo/train/release}), else one trained on generated beats at set-up.
 *
 * <p>Run: {@code java -cp <bench test class path> ecgdetector.bench.WindowHotPathBenchmark [JMH
 * options]}; see docs/benchmarks.md. Results also go to {@code jmh-result.json} in the working directory.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Dai.djl.offline=true", "-Xmx1g"})
public class WindowHotPathBenchmark {

    private static final int WINDOW = 140;
    private static final int BATCH = 256;

    private HeartbeatDecoder decoder;
    private byte[][] csv;
    private byte[][] json;
    private float[][] beats;
    private MinMaxScaler scaler;
    private float[][] reconstructions;
    private BufferedWindow[] buffered;
    private final byte[] key = "patient-0042".getBytes(StandardCharsets.UTF_8);
    private final Serializer<Score> scoreJson = JsonSerde.of(Score.class).serializer();
    private final ModelRef modelRef = new ModelRef("ecg-autoencoder", "20250101T000000Z-0123abcd");
    private final float[] scaled = new float[WINDOW];
    private final double[] positionErrors = new double[WINDOW];
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        decoder = new HeartbeatDecoder(WINDOW, 10_000, 65_536);
        List<String> lines = lines();
        csv = new byte[lines.size()][];
        json = new byte[lines.size()][];
        beats = new float[lines.size()][];
        buffered = new BufferedWindow[lines.size()];
        for (int i = 0; i < lines.size(); i++) {
            csv[i] = lines.get(i).getBytes(StandardCharsets.UTF_8);
            HeartbeatWindow w = window(decoder.decode(key, csv[i], 1_740_830_400_000L + i));
            beats[i] = w.samples();
            json[i] = jsonOf(i, w).getBytes(StandardCharsets.UTF_8);
            buffered[i] = new BufferedWindow(
                    new WindowSource("ecg.heartbeats", i % 3, i), w.eventTime(), w.eventTime() + 5, key, w);
        }
        scaler = MinMaxScaler.fitPerPosition(beats);
        // A plausible reconstruction: the scaled beat, smoothed (an autoencoder returns a smoother beat).
        reconstructions = new float[beats.length][WINDOW];
        for (int i = 0; i < beats.length; i++) {
            float[] s = scaler.transform(beats[i]);
            for (int j = 0; j < WINDOW; j++) {
                float left = s[Math.max(0, j - 1)];
                float right = s[Math.min(WINDOW - 1, j + 1)];
                reconstructions[i][j] = (left + s[j] + right) / 3;
            }
        }
    }

    private int nextIndex() {
        int i = next;
        next = next + 1 == csv.length ? 0 : next + 1;
        return i;
    }

    /** Decode and validate a raw ecg.csv line: parse 140 numbers and the label, check count and range. */
    @Benchmark
    public Decoded decodeCsv() {
        int i = nextIndex();
        return decoder.decode(key, csv[i], 1_740_830_400_000L);
    }

    /** The same window as a JSON document. */
    @Benchmark
    public Decoded decodeJson() {
        int i = nextIndex();
        return decoder.decode(key, json[i], 1_740_830_400_000L);
    }

    /** Per-position MinMax scaling of one window, as the translator does before inference. */
    @Benchmark
    public float[] scale() {
        scaler.transform(beats[nextIndex()], scaled, 0);
        return scaled;
    }

    /**
     * The window's error (MSLE) and its per-position errors, as the translator does after inference: each
     * position's error computed once for both.
     */
    @Benchmark
    public double score() {
        int i = nextIndex();
        scaler.transform(beats[i], scaled, 0);
        float error = ErrorMetric.MSLE.score(scaler, scaled, reconstructions[i], 0, positionErrors);
        return error + positionErrors[7];
    }

    /** The window into the batch buffer's changelog form and back, as the state store does. */
    @Benchmark
    public BufferedWindow bufferSerdeRoundTrip() {
        return BufferedWindowSerde.fromBytes(BufferedWindowSerde.toBytes(buffered[nextIndex()]));
    }

    /** The window's score event, as JSON bytes for the scores topic. */
    @Benchmark
    public byte[] scoreEventJson() {
        BufferedWindow w = buffered[nextIndex()];
        return scoreJson.serialize(
                "ecg.scores",
                EventFactory.score(w, 0.0123f, 0.02, false, modelRef, EventFactory.iso(w.recordTimestamp() + 40)));
    }

    /** Everything above for one window, as the streamer does it (inference aside): the CPU cost per window. */
    @Benchmark
    public int hotPathWithoutInference() {
        int i = nextIndex();
        HeartbeatWindow w = window(decoder.decode(key, csv[i], 1_740_830_400_000L));
        BufferedWindow b =
                new BufferedWindow(new WindowSource("ecg.heartbeats", 0, i), w.eventTime(), w.eventTime(), key, w);
        BufferedWindow restored = BufferedWindowSerde.fromBytes(BufferedWindowSerde.toBytes(b));
        scaler.transform(restored.window().samples(), scaled, 0);
        float error = ErrorMetric.MSLE.score(scaler, scaled, reconstructions[i], 0, positionErrors);
        byte[] event = scoreJson.serialize(
                "ecg.scores",
                EventFactory.score(restored, error, 0.02, false, modelRef, EventFactory.iso(w.eventTime() + 40)));
        return event.length;
    }

    /** The real model through DJL: scaling, the TensorFlow call and error scoring, per window. */
    @State(Scope.Thread)
    public static class Model {
        ReleaseModel model;
        Predictor<float[][], BeatScore[]> predictor;
        float[][] one;
        float[][] batch;

        @Setup(Level.Trial)
        public void load(WindowHotPathBenchmark bench) throws Exception {
            model = ReleaseModel.load(release());
            predictor = model.newPredictor();
            one = new float[][] {bench.beats[0]};
            batch = new float[BATCH][];
            for (int i = 0; i < BATCH; i++) {
                batch[i] = bench.beats[i % bench.beats.length];
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            predictor.close();
            model.close();
        }
    }

    @Benchmark
    public BeatScore[] inferBatch1(Model m) throws TranslateException {
        return m.predictor.predict(m.one);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public BeatScore[] inferBatch256PerWindow(Model m) throws TranslateException {
        return m.predictor.predict(m.batch);
    }

    private static ReleaseBundle release() throws Exception {
        String dir = System.getProperty("bench.release");
        if (dir != null && !dir.isBlank()) {
            return ReleaseBundle.readFrom(Path.of(dir));
        }
        return TestReleases.synthetic().release();
    }

    private static List<String> lines() throws IOException {
        Optional<Path> data = TestReleases.fullData();
        List<String> lines = new ArrayList<>();
        if (data.isPresent()) {
            for (String line : Files.readAllLines(data.get(), StandardCharsets.US_ASCII)) {
                if (!line.isBlank() && lines.size() < 1024) {
                    lines.add(line);
                }
            }
            return lines;
        }
        var generated = TestReleases.syntheticDataset(42).beats();
        for (int i = 0; i < generated.size(); i++) {
            lines.add(TestReleases.csvLine(generated.beats()[i], generated.normal()[i]));
        }
        return lines;
    }

    private static HeartbeatWindow window(Decoded decoded) {
        if (decoded instanceof HeartbeatWindow w) {
            return w;
        }
        throw new IllegalStateException("a benchmark line was rejected: " + decoded);
    }

    private static String jsonOf(int i, HeartbeatWindow w) {
        StringBuilder s = new StringBuilder(2048);
        s.append(String.format(
                Locale.ROOT,
                "{\"patientId\":\"patient-%04d\",\"beatId\":%d,\"timestamp\":%d," + "\"samples\":[",
                i % 100,
                i,
                1_740_830_400_000L + i));
        float[] samples = w.samples();
        for (int j = 0; j < samples.length; j++) {
            s.append(j == 0 ? "" : ",").append(samples[j]);
        }
        return s.append("],\"label\":1}").toString();
    }

    /** Runs every benchmark of this class; JMH's own options (e.g. {@code -f 2 -wi 5 -prof gc}) apply. */
    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        OptionsBuilder options = new OptionsBuilder();
        options.parent(cli);
        if (cli.getIncludes().isEmpty()) {
            options.include(WindowHotPathBenchmark.class.getName() + "\\.");
        }
        if (!cli.getResult().hasValue()) {
            options.resultFormat(org.openjdk.jmh.results.format.ResultFormatType.JSON)
                    .result("jmh-result.json");
        }
        new Runner(options.build()).run();
    }
}
