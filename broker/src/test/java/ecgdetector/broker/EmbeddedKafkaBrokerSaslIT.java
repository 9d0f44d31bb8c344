package ecgdetector.broker;

import static ecgdetector.broker.testing.KafkaTestUtils.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ecgdetector.broker.testing.KafkaTestUtils;
import ecgdetector.broker.testing.SaslKafkaBrokerExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The broker's SASL option: logins are checked and ACLs deny whatever they do not allow. */
@ExtendWith(SaslKafkaBrokerExtension.class)
class EmbeddedKafkaBrokerSaslIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void theSuperUserMayDoAnythingThroughTheBrokersOwnClientProperties(EmbeddedKafkaBroker broker) throws Exception {
        String topic = uniqueTopic("sasl-admin");
        broker.createTopic(topic, 1, Map.of());

        assertThat(broker.clientProperties())
                .containsEntry("security.protocol", "SASL_PLAINTEXT")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-256");
        send(broker.clientProperties(), topic);
        assertThat(KafkaTestUtils.waitUntilMinRecordsReceived(broker.clientProperties(), topic, 1, TIMEOUT))
                .hasSize(1);
    }

    @Test
    void aUserMayWriteOnlyWhereAnAclAllowsIt(EmbeddedKafkaBroker broker) throws Exception {
        String topic = uniqueTopic("sasl-acl");
        broker.createTopic(topic, 1, Map.of());
        SaslKafkaBrokerExtension.createUser(broker, "writer", "writer-secret");
        Properties writer = SaslKafkaBrokerExtension.clientProperties(broker, "writer", "writer-secret");

        assertThatThrownBy(() -> send(writer, topic))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(TopicAuthorizationException.class);

        ResourcePattern resource = new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL);
        SaslKafkaBrokerExtension.grant(
                broker,
                List.of(
                        new AclBinding(resource, allow("writer", AclOperation.WRITE)),
                        new AclBinding(resource, allow("writer", AclOperation.DESCRIBE))));
        send(writer, topic);
    }

    @Test
    void aWrongPasswordIsRefusedAtOnce(EmbeddedKafkaBroker broker) {
        SaslKafkaBrokerExtension.createUser(broker, "someone", "right-password");
        Properties wrong = SaslKafkaBrokerExtension.clientProperties(broker, "someone", "wrong-password");
        wrong.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        wrong.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");

        try (Admin admin = Admin.create(wrong)) {
            assertThatThrownBy(() -> admin.describeCluster().clusterId().get(20, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(SaslAuthenticationException.class);
        }
    }

    @Test
    void saslSettingsAreChecked() {
        assertThatThrownBy(() -> new EmbeddedKafkaBroker.Sasl("PLAIN", "admin", Map.of("admin", "x")))
                .hasMessageContaining("SCRAM-SHA-256");
        assertThatThrownBy(() -> new EmbeddedKafkaBroker.Sasl("SCRAM-SHA-256", "admin", Map.of("bob", "x")))
                .hasMessageContaining("super user 'admin'");
        assertThatThrownBy(() -> EmbeddedKafkaBroker.Sasl.scram("pass word", Map.of()))
                .hasMessageContaining("without spaces");
    }

    private static AccessControlEntry allow(String user, AclOperation operation) {
        return new AccessControlEntry(
                EmbeddedKafkaBroker.Sasl.principal(user), "*", operation, AclPermissionType.ALLOW);
    }

    private static void send(Properties client, String topic) throws Exception {
        Properties props = new Properties();
        props.putAll(client);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "20000");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            producer.send(new ProducerRecord<>(topic, "k", "v")).get(30, TimeUnit.SECONDS);
        }
    }
}
