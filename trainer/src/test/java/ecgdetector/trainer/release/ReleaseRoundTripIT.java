package ecgdetector.trainer.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ecgdetector.broker.EmbeddedKafkaBroker;
import ecgdetector.broker.testing.KafkaBrokerExtension;
import ecgdetector.broker.testing.KafkaTestUtils;
import ecgdetector.model.inference.ReleaseModel;
import ecgdetector.model.release.ModelsTopicConfig;
import ecgdetector.model.release.ReleaseBundle;
import ecgdetector.model.release.ReleaseRecord;
import ecgdetector.model.release.ReleaseTopic;
import ecgdetector.model.scoring.BeatScore;
import ecgdetector.model.scoring.MinMaxScaler;
import ecgdetector.model.testing.TestKeys;
import ecgdetector.schemas.ReleaseManifest;
import ecgdetector.schemas.testing.JsonSchemas;
import ecgdetector.trainer.data.Heartbeats;
import ecgdetector.trainer.model.AutoencoderConfig;
import ecgdetector.trainer.model.AutoencoderTrainer;
import ecgdetector.trainer.model.TrainedAutoencoder;
import ecgdetector.trainer.testing.TestReleases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A release through a real broker: the record that comes back is the record that went in, and it verifies. */
@ExtendWith(KafkaBrokerExtension.class)
class ReleaseRoundTripIT {

    @TempDir
    Path tmp;

    @Test
    void publishedReleaseComesBackIdenticalVerifiesAndServesWhatTheReleaseComputedBeforePublishing(
            EmbeddedKafkaBroker broker) throws Exception {
        Heartbeats normal = TestReleases.syntheticDataset(5).beats().onlyNormal();
        MinMaxScaler scaler = MinMaxScaler.fitPerPosition(normal.beats());
        float[][] scaled = scaler.transformAll(normal.beats());
        String topic = KafkaTestUtils.uniqueTopic("models");
        ReleaseTopic models = new ReleaseTopic(broker.clientProperties(), topic);

        try (TrainedAutoencoder autoencoder = new AutoencoderTrainer()
                .train(
                        scaled,
                        new float[0][],
                        AutoencoderConfig.defaults().withEpochs(5).withBatchSize(64))) {
            autoencoder.exportSavedModel(tmp.resolve("saved_model"));
            ReleaseBundle release = ReleaseBundle.seal(manifest(scaler), tmp.resolve("saved_model"));
            ReleaseRecord sent =
                    ReleaseRecord.signed(release, TestKeys.trainer().key());

            ReleaseTopic.Published where = models.publish(sent);
            ReleaseRecord back = models.readLatest("ecg-autoencoder").orElseThrow();

            assertThat(where.topic()).isEqualTo(topic);
            assertThat(where.version()).isEqualTo("v-roundtrip");
            assertThat(back.key()).isEqualTo("ecg-autoencoder/v-roundtrip");
            assertThat(back.value()).isEqualTo(sent.value());
            assertThat(back.headers().toArray()).containsExactly(sent.headers().toArray());
            assertThat(JsonSchemas.violations(JsonSchemas.Contract.MODEL_RELEASE, back.value()))
                    .isEmpty();
            float[][] trainers = autoencoder.reconstruct(scaled);
            try (ReleaseModel offline = ReleaseModel.load(release);
                    ReleaseModel served =
                            ReleaseModel.load(TestKeys.trainer().verifier().verify(back))) {
                BeatScore[] expected = offline.scoreAll(normal.beats(), 256);
                BeatScore[] scores = served.scoreAll(normal.beats(), 256);
                for (int i = 0; i < scores.length; i++) {
                    assertThat(scores[i].reconstruction())
                            .as("beat %d", i)
                            .containsExactly(expected[i].reconstruction());
                    // The export holds the weights as constants, which TensorFlow optimises differently from the
                    // training graph's variables: the same network, to the last bit or two of a float.
                    for (int j = 0; j < trainers[i].length; j++) {
                        assertThat(scores[i].reconstruction()[j]).isCloseTo(trainers[i][j], within(1e-5f));
                    }
                }
            }
        }

        try (Admin admin = Admin.create(broker.adminProperties())) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("compact");
            assertThat(config.get(TopicConfig.COMPRESSION_TYPE_CONFIG).value()).isEqualTo("uncompressed");
            assertThat(ModelsTopicConfig.problems(topic, config)).isEmpty();
        }
    }

    @Test
    void everyReleaseHasAKeyOfItsOwnAndTheNewestIsReadBack(EmbeddedKafkaBroker broker) throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("models");
        ReleaseTopic models = new ReleaseTopic(broker.clientProperties(), topic);
        ReleaseBundle first = TestReleases.synthetic().release();
        ReleaseBundle second = TestReleases.syntheticOtherVersion().release();

        models.publish(ReleaseRecord.signed(first, TestKeys.trainer().key()));
        models.publish(ReleaseRecord.signed(second, TestKeys.trainer().key()));

        assertThat(TestKeys.trainer()
                        .verifier()
                        .verify(models.readLatest("ecg-autoencoder").orElseThrow())
                        .version())
                .isEqualTo(second.version());
        assertThat(models.readLatest("another-model")).isEmpty();
        var keys =
                KafkaTestUtils.waitUntilMinRecordsReceived(broker.bootstrapServers(), topic, 2, Duration.ofSeconds(30))
                        .stream()
                        .map(r -> new String(r.key(), StandardCharsets.UTF_8))
                        .toList();
        assertThat(keys).containsExactly(first.key().toString(), second.key().toString());
    }

    private static ReleaseManifest manifest(MinMaxScaler scaler) {
        return new ReleaseManifest(
                ReleaseManifest.FORMAT_VERSION,
                "ecg-autoencoder",
                "v-roundtrip",
                "2026-11-24T12:00:00Z",
                scaler.length(),
                ReleaseManifest.Serving.standard(),
                scaler.params(),
                ReleaseManifest.Scoring.of("msle", 0.01),
                "mean+1std",
                new ReleaseManifest.Provenance(
                        "0".repeat(64), "synthetic", 480, 42, Map.of("epochs", 5), Map.of(), "test"),
                null,
                null);
    }
}
