package ecgdetector.view.feed;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.view.ward.AlarmEvent;
import ecgdetector.view.ward.TileLevel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FeedReaderTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void scoresThatDoNotReadOrLackWhatTheViewNeedsAreEmpty() {
        assertThat(FeedReader.score(utf8("nope"))).isEmpty();
        assertThat(FeedReader.score(utf8("{\"score\": 0.1}"))).isEmpty();
        assertThat(FeedReader.score(utf8("{\"windowId\":\"t/0/1\",\"score\":0.1,\"threshold\":0.2}")))
                .isEmpty();
        assertThat(FeedReader.score(utf8("{\"windowId\":\"t/0/1\",\"source\":{\"topic\":\"t\",\"partition\":0,"
                        + "\"offset\":1},\"score\":0.1,\"threshold\":0.2,\"anomaly\":false}")))
                .isPresent();
    }

    @Test
    void anAlarmNeedsAnIdAndAStateAndTakesItsPatientFromTheKeyWhenTheValueNamesNone() {
        assertThat(FeedReader.alarm(null, utf8("{\"state\":\"RAISED\"}"))).isEmpty();
        assertThat(FeedReader.alarm(null, utf8("[1]"))).isEmpty();
        AlarmEvent e = FeedReader.alarm(
                        utf8("bed-7"),
                        utf8("{\"alarmId\":\"a1\",\"type\":\"EPISODE\",\"state\":\"ESCALATED\",\"priority\":\"medium\","
                                + "\"startedAt\":\"2026-01-01T00:00:00Z\"}"))
                .orElseThrow();
        assertThat(e.patientId()).isEqualTo("bed-7");
        assertThat(e.open()).isTrue();
        assertThat(e.level()).isEqualTo(TileLevel.ALARM_MEDIUM);
        assertThat(e.at()).isEqualTo("2026-01-01T00:00:00Z");
    }

    @Test
    void theTransitionsOfOneEpisodeAreOneAlarm() {
        String episode = "ANOMALOUS_BEATS:ecg.heartbeats/0/7";
        AlarmEvent raised = FeedReader.alarm(
                        null,
                        utf8("{\"alarmId\":\"" + episode + "/RAISED\",\"episodeId\":\"" + episode
                                + "\",\"patientId\":\"p\",\"type\":\"ANOMALOUS_BEATS\",\"state\":\"RAISED\","
                                + "\"priority\":\"LOW\",\"at\":\"2026-01-01T00:00:00Z\"}"))
                .orElseThrow();
        AlarmEvent cleared = FeedReader.alarm(
                        null,
                        utf8("{\"alarmId\":\"" + episode + "/CLEARED\",\"episodeId\":\"" + episode
                                + "\",\"patientId\":\"p\",\"type\":\"ANOMALOUS_BEATS\",\"state\":\"CLEARED\","
                                + "\"priority\":\"LOW\",\"at\":\"2026-01-01T00:00:09Z\"}"))
                .orElseThrow();
        assertThat(raised.alarmId()).isEqualTo(cleared.alarmId()).isEqualTo(episode);
        assertThat(raised.open()).isTrue();
        assertThat(cleared.open()).isFalse();
    }
}
