package ecgdetector.streamer.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class IdlePollTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final IdlePoll poll = new IdlePoll(Duration.ofMillis(100), Duration.ofMillis(120), nanos::get);

    private void advance(long ms) {
        nanos.addAndGet(Duration.ofMillis(ms).toNanos());
    }

    @Test
    void pollsAsAskedUntilNothingHasComeForTheQuietTime() {
        assertThat(poll.timeout(Duration.ofMillis(2))).as("just started").hasMillis(2);
        advance(119);
        assertThat(poll.timeout(Duration.ofMillis(2))).hasMillis(2);
        advance(1);
        assertThat(poll.timeout(Duration.ofMillis(2))).as("idle").hasMillis(100);
    }

    @Test
    void aRecordMakesItBusyAgainForTheQuietTime() {
        advance(500);
        assertThat(poll.timeout(Duration.ofMillis(2))).hasMillis(100);
        poll.polled(3);
        assertThat(poll.timeout(Duration.ofMillis(2))).hasMillis(2);
        advance(60);
        poll.polled(0);
        assertThat(poll.timeout(Duration.ofMillis(2)))
                .as("an empty poll does not count")
                .hasMillis(2);
        advance(60);
        assertThat(poll.timeout(Duration.ofMillis(2))).hasMillis(100);
    }

    @Test
    void aNonBlockingOrLongerPollIsLeftAsAsked() {
        advance(500);
        assertThat(poll.timeout(Duration.ZERO)).isZero();
        assertThat(poll.timeout(Duration.ofMillis(300))).hasMillis(300);
    }

    @Test
    void theStreamersIsIdleAfterTwiceTheBatchWaitPlusTheCommitIntervalUnlessPollMsIsGiven() {
        IdlePoll derived = IdlePoll.of(
                StreamerConfig.fromMap(Map.of(
                        "bootstrap.servers", "127.0.0.1:1", "ecg.batch.wait.ms", "10", "commit.interval.ms", "50")),
                nanos::get);
        IdlePoll given = IdlePoll.of(
                StreamerConfig.fromMap(Map.of("bootstrap.servers", "127.0.0.1:1", "poll.ms", "2")), nanos::get);
        advance(119);
        assertThat(derived.timeout(Duration.ofMillis(2))).hasMillis(2);
        advance(1);
        assertThat(derived.timeout(Duration.ofMillis(2))).hasMillis(IdlePoll.IDLE.toMillis());
        advance(10_000);
        assertThat(given.timeout(Duration.ofMillis(2))).as("poll.ms as given").hasMillis(2);
    }
}
