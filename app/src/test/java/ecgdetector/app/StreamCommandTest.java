package ecgdetector.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ecgdetector.streamer.config.StreamerConfig;
import ecgdetector.streamer.config.StreamerConfig.Setting;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code ./ecg stream}'s flags and help come from the settings' declarations. */
class StreamCommandTest {

    private static StreamCommand parse(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "stream";
        System.arraycopy(args, 0, all, 1, args.length);
        CommandLine.ParseResult parsed = Main.commandLine().parseArgs(all);
        return (StreamCommand) parsed.subcommand().commandSpec().userObject();
    }

    private static String help() {
        StringWriter out = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        assertThat(cli.execute("stream", "--help")).isZero();
        // Without white space, so that picocli's line wrapping (also after a '.') does not hide a default.
        return squeezed(out.toString());
    }

    private static String squeezed(String text) {
        return text.replaceAll("\\s+", "");
    }

    @Test
    void theHelpGivesEverySettingsFlagDefaultRangeAndVariable() {
        String help = help();
        for (Setting setting : Setting.values()) {
            String facts = setting.flag().isPresent() ? StreamCommand.SettingFlags.help(setting) : setting.key();
            assertThat(help)
                    .as(setting.key())
                    .contains(setting.envName())
                    .contains(squeezed("default " + setting.defaultText()))
                    .contains(squeezed(facts));
            setting.flag()
                    .ifPresent(flag -> assertThat(help)
                            .contains(setting.type() == Type.BOOLEAN ? "--[no-]" + flag.substring(2) : flag + "="));
        }
        assertThat(help)
                .contains("--batch-wait-ms=MS")
                .contains(squeezed("(default 10; 0 to 3600000; env ECG_BATCH_WAIT_MS)"))
                .contains(squeezed("ecg.shutdown.timeout.ms, env ECG_SHUTDOWN_TIMEOUT_MS (default 30000)"));
    }

    @Test
    void flagsBecomeSettingsByKey() {
        StreamCommand command = parse(
                "--bootstrap-servers",
                "k:9092",
                "--application-id",
                "app",
                "--state-dir",
                "/tmp/state",
                "--batch-size",
                "512",
                "--batch-wait-ms",
                "25",
                "--port",
                "-1",
                "--input-topic",
                "in",
                "--no-scores",
                "--check-topics",
                "--release-public-key",
                "/k/a.pub,/k/b.pub",
                "--release-public-key",
                "/k/c.pub",
                "-X",
                "linger.ms=5");

        assertThat(command.flags())
                .containsOnly(
                        Map.entry("bootstrap.servers", "k:9092"),
                        Map.entry("application.id", "app"),
                        Map.entry("state.dir", Path.of("/tmp/state").toString()),
                        Map.entry("ecg.batch.size", "512"),
                        Map.entry("ecg.batch.wait.ms", "25"),
                        Map.entry("ecg.http.port", "-1"),
                        Map.entry("ecg.topic.heartbeats", "in"),
                        Map.entry("ecg.scores.enabled", "false"),
                        Map.entry("ecg.check.topics", "true"),
                        Map.entry("ecg.release.public.keys", "/k/a.pub,/k/b.pub,/k/c.pub"),
                        Map.entry("linger.ms", "5"));
        StreamerConfig config = StreamerConfig.fromMap(command.flags());
        assertThat(config.batchSize()).isEqualTo(512);
        assertThat(config.batchMaxWait()).isEqualTo(Duration.ofMillis(25));
        assertThat(config.scoresEnabled()).isFalse();
        assertThat(config.releasePublicKeys())
                .containsExactly(Path.of("/k/a.pub"), Path.of("/k/b.pub"), Path.of("/k/c.pub"));
    }

    @Test
    void flagsNotGivenLeaveTheSettingToTheOtherSources() {
        assertThat(parse().flags()).isEmpty();
        assertThat(parse("--scores").flags()).containsOnly(Map.entry("ecg.scores.enabled", "true"));
    }

    @Test
    void theHmacKeyFlagOfReleaseFormatOneSaysWhatReplacedIt() {
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err));

        int exit = cli.execute("stream", "--bootstrap-servers", "k:9092", "--release-key-file", "/k/old.key");

        assertThat(exit).isNotZero();
        assertThat(err.toString())
                .contains("--release-key-file is gone")
                .contains("./ecg keys")
                .contains("ecg.release.public.keys");
    }

    @Test
    void aBadFlagValueIsReportedByTheSettingItSets() {
        StreamCommand command = parse("--bootstrap-servers", "k:9092", "--threads", "0");
        assertThatThrownBy(command::config)
                .hasMessageContaining("invalid value for ecg.threads: 0 (allowed: 1 to 64;")
                .hasMessageContaining("--threads");
    }
}
