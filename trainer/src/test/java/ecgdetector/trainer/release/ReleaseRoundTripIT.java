package ecgdetector.trainer.release;

import static org.assertj.core.api.Assertions.assertThat;

import ecgdetector.broker.EmbeddedKafkaBroker;
import ecgdetector.broker.testing.KafkaBrokerExtension;
import ecgdetector.broker.testing.KafkaTestUtils;
import ecgdetector.model.inference.ReleaseModel;
import ecgdetector.model.release.ReleaseBundle;
import ecgdetector.model.release.ReleaseTopic;
import ecgdetector.model.scoring.BeatScore;
import ecgdetector.model.scoring.MinMaxScaler;
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

/** A release through a real broker: the bytes that come back are the bytes that went in. */
@ExtendWith(KafkaBrokerExtension.class)
class ReleaseRoundTripIT {

    @TempDir
    Path tmp;

    @Test
    void publishedReleaseComesBackIdenticalAndServesTheTrainersOwnReconstructions(EmbeddedKafkaBroker broker)
            throws Exception {
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

            ReleaseTopic.Published where = models.publish(release);
            byte[] back = models.readLatestBytes("ecg-autoencoder").orElseThrow();

            assertThat(where.topic()).isEqualTo(topic);
            assertThat(back).isEqualTo(release.toBytes());
            assertThat(JsonSchemas.violations(JsonSchemas.Contract.MODEL_RELEASE, back))
                    .isEmpty();
            float[][] expected = autoencoder.reconstruct(scaled);
            try (ReleaseModel served = ReleaseModel.load(ReleaseBundle.fromBytes(back))) {
                BeatScore[] scores = served.scoreAll(normal.beats(), 256);
                for (int i = 0; i < scores.length; i++) {
                    assertThat(scores[i].reconstruction()).as("beat %d", i).containsExactly(expected[i]);
                }
            }
        }

        try (Admin admin = Admin.create(broker.adminProperties())) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("compact");
        }
        var records =
                KafkaTestUtils.waitUntilMinRecordsReceived(broker.bootstrapServers(), topic, 1, Duration.ofSeconds(30));
        assertThat(new String(records.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("ecg-autoencoder");
        assertThat(new String(
                        records.get(0)
                                .headers()
                                .lastHeader(ReleaseTopic.HEADER_VERSION)
                                .value(),
                        StandardCharsets.UTF_8))
                .isEqualTo("v-roundtrip");
    }

    @Test
    void theLatestOfSeveralReleasesWinsPerModelName(EmbeddedKafkaBroker broker) throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("models");
        ReleaseTopic models = new ReleaseTopic(broker.clientProperties(), topic);
        ReleaseBundle first = TestReleases.synthetic().release();
        ReleaseBundle second = TestReleases.syntheticOtherVersion().release();

        models.publish(first);
        models.publish(second);

        assertThat(models.readLatest("ecg-autoencoder").orElseThrow().version()).isEqualTo(second.version());
        assertThat(models.readLatest("another-model")).isEmpty();
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
                "msle",
                0.01,
                "mean+1std",
                new ReleaseManifest.Provenance(
                        "0".repeat(64), "synthetic", 480, 42, Map.of("epochs", 5), Map.of(), "test"),
                null,
                null);
    }
}
