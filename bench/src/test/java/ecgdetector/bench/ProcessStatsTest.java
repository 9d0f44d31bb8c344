package ecgdetector.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessStatsTest {

    @Test
    void readsResidentMemoryFromProcStatus() {
        String status = "Name:\tjava\nVmPeak:\t 4000000 kB\nVmHWM:\t  612345 kB\nVmRSS:\t  501234 kB\nThreads:\t42\n";

        assertThat(ProcessStats.parseStatusField(status, "VmRSS:")).hasValue(501234);
        assertThat(ProcessStats.parseStatusField(status, "VmHWM:")).hasValue(612345);
        assertThat(ProcessStats.parseStatusField(status, "VmSwap:")).isEmpty();
    }

    @Test
    void countsTheCpuTicksOfTheJitCompilerThreadsOnly() {
        String c2 = "4242 (C2 CompilerThre) S 1 1 1 0 -1 4194368 900 0 0 0 1234 56 0 0 20 0 1 0 100 0 0";
        String stream = "4243 (bench-x-StreamThread) S 1 1 1 0 -1 4194368 900 0 0 0 77 3 0 0 20 0 1 0 100 0 0";

        assertThat(ProcessStats.compilerTicks(c2)).isEqualTo(1290);
        assertThat(ProcessStats.compilerTicks(stream)).isZero();
    }

    @Test
    void readsTheOneMinuteLoadAverage() {
        assertThat(ProcessStats.parseLoadAverage("0.42 0.50 0.61 1/234 5678\n")).hasValue(0.42);
        assertThat(ProcessStats.parseLoadAverage("")).isEmpty();
    }

    @Test
    void percentilesAreNearestRankAndMediansSkipMissingValues() {
        double[] values = {5, 1, 4, 2, 3, 10, 9, 8, 7, 6};

        assertThat(Percentiles.of(values, 50)).isEqualTo(5.0);
        assertThat(Percentiles.of(values, 99)).isEqualTo(10.0);
        assertThat(Percentiles.of(new double[0], 99)).isNull();
        assertThat(Percentiles.median(java.util.Arrays.asList(3.0, null, 1.0, 2.0)))
                .isEqualTo(2.0);
        assertThat(Percentiles.median(List.of(4.0, 1.0))).isEqualTo(2.5);
    }

    @Test
    void profileThreadsAreGroupedWithoutTheirIds() {
        assertThat(JfrSummary.threadGroup("bench-x-streamer-3f2a-11aa-StreamThread-1"))
                .isEqualTo("StreamThread-1");
        assertThat(JfrSummary.threadGroup("kafka-producer-network-thread | app-StreamThread-1-producer"))
                .isEqualTo("producer-network-thread");
        assertThat(JfrSummary.threadGroup("app-4b1c-GlobalStreamThread")).isEqualTo("GlobalStreamThread");
        assertThat(JfrSummary.threadGroup("pool-3-thread-12")).isEqualTo("pool-N-thread-N");
    }

    @Test
    void aProfileSampleBelongsToThePartOfItsFrameNearestTheTop() {
        // Kafka Streams forwards synchronously: decode is below everything downstream on the stack.
        assertThat(JfrSummary.partOf(List.of(
                        "java.lang.StrictMath.log1p",
                        "ecgdetector.model.scoring.ErrorMetric.score",
                        "ai.djl.inference.Predictor.predict",
                        "ecgdetector.streamer.decode.DecodeProcessor.process")))
                .isEqualTo("scoring");
        assertThat(JfrSummary.partOf(List.of(
                        "ecgdetector.streamer.decode.DecimalParser.parse",
                        "org.apache.kafka.streams.processor.internals.StreamTask.process")))
                .isEqualTo("decode");
        assertThat(JfrSummary.partOf(List.of("java.lang.Object.wait"))).isEqualTo("other");
    }
}
