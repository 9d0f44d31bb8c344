package ecgdetector.model.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

class KafkaRefusalTest {

    private static final Map<String, String> CLIENT = Map.of(
            "bootstrap.servers",
            "kafka:9093",
            "sasl.mechanism",
            "SCRAM-SHA-512",
            "sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required "
                    + "username=\"ecg-trainer\" password=\"s3cret\";");

    @Test
    void findsARefusalAnywhereAmongTheCausesAndNothingElse() {
        SaslAuthenticationException login = new SaslAuthenticationException("Authentication failed");
        assertThat(KafkaRefusal.find(new ExecutionException(new KafkaException("wrapped", login))))
                .containsSame(login);
        assertThat(KafkaRefusal.find(new TopicAuthorizationException("no"))).isPresent();
        assertThat(KafkaRefusal.find(new ExecutionException(new TimeoutException("slow"))))
                .isEmpty();
    }

    @Test
    void aRefusedLoginNamesTheClusterTheUserAndTheMechanismButNeverThePassword() {
        String line = KafkaRefusal.describe(new SaslAuthenticationException("Authentication failed"), CLIENT, "x");

        assertThat(line)
                .startsWith("Kafka at kafka:9093 refused the login of user 'ecg-trainer' (SASL SCRAM-SHA-512): "
                        + "SaslAuthenticationException: Authentication failed")
                .contains("sasl.jaas.config")
                .doesNotContain("s3cret");
    }

    @Test
    void aDeniedOperationSaysWhatTheAclMustAllow() {
        String line = KafkaRefusal.describe(
                new TopicAuthorizationException("Not authorized to access topics: [t]"), CLIENT, "WRITE on topic t");

        assertThat(line)
                .isEqualTo(
                        "Kafka at kafka:9093 denied user 'ecg-trainer' an operation: "
                                + "TopicAuthorizationException: Not authorized to access topics: [t]; an ACL must allow WRITE on topic t");
    }
}
